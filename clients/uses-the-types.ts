// What a TypeScript front-end writes against the types generated from the API's schema.
// It must compile under `tsc --strict`; each @ts-expect-error line must fail to.
import type { components, operations, paths } from "./build/watchlist-api";

type Movie = components["schemas"]["Movie"];
type NewMovie = components["schemas"]["MovieRequest"];
type MovieChange = components["schemas"]["PatchedMovieRequest"];
type ApiError = components["schemas"]["Error"];

const film: Movie = {
  id: 1,
  title: "Fight Club",
  release_date: "1999-09-15",
  release_year: 1999,
  is_watched: true,
  watched_at: "2026-11-27T10:00:00.123456Z",
  watched_on: "2026-11-27",
  rating: 9,
  imdb_id: "tt0137523",
  tmdb_id: 550,
  letterboxd_uri: null,
};

// The list is a bare array of films.
const page: paths["/api/"]["get"]["responses"][200]["content"]["application/json"] = [film];

// Filters, ordering (an array) and pagination are typed query parameters.
const query: NonNullable<operations["list_films"]["parameters"]["query"]> = {
  is_watched: false,
  search: "matrix",
  ordering: ["-release_date", "title"],
  page: 2,
  page_size: 50,
};

// A film's id in a path is a number.
const path: operations["get_film"]["parameters"]["path"] = { id: film.id };

// A release date is an ISO date or a UNIX timestamp; a film known only by its year is
// sent with release_year. The watched state is not part of a request body.
const created: NewMovie = { title: "Memento", release_date: 971222400 };
const byYear: NewMovie = { title: "Memento", release_date: null, release_year: 2000, rating: 8 };
const replaced: NewMovie = { title: "Memento", release_date: "2000-10-11" };
const changed: MovieChange = { title: "Memento (2000)" };
// @ts-expect-error the watched state is the server's: it is not part of a request body
const cheating: NewMovie = { title: "Memento", release_date: "2000-10-11", is_watched: true };

// Errors carry a detail message; a conditional read may answer 304 with no body.
const missing: operations["get_film"]["responses"][404]["content"]["application/json"] = {
  detail: "Not found.",
};
const notModified: operations["get_film"]["responses"][304]["content"] = undefined;
const alreadyWatched: operations["watch_film"]["responses"][400]["content"]["application/json"] =
  { detail: "Movie has already been watched." };
const unknown: ApiError = missing;

// The token endpoint answers the token a client sends as `Authorization: Token <token>`,
// and when it stops working.
const token: operations["get_token"]["responses"][200]["content"]["application/json"] = {
  token: "3f2a6c1e9b7d4a5f8e0c2b4d6a8f1e3c5b7d9f0a2c4e6b8d0f1a3c5e7b9d1f3a",
  expiry: "2026-12-27T10:00:00.123456Z",
};

export const examples = [
  page,
  query,
  path,
  created,
  byYear,
  replaced,
  changed,
  cheating,
  missing,
  notModified,
  alreadyWatched,
  unknown,
  token,
];
