"""Concurrent load for real servers, and the check that the database kept its promises.

Client threads send a bounded number of requests: signed-in clients a mixed workload
(creates, reads, watch/unwatch, edits, deletes), anonymous ones reads only. Each records
in a `Ledger` what the answers promised; `check_database_matches` compares the database
with every ledger afterwards. Fault injectors wait on `Answers` (so many answers seen),
never on a clock. Used by the load and fault tests and the scale-out test.
"""

import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from http.client import HTTPException

from watchlist.tests.live import ApiClient

THREADS = 8  # signed-in clients with the mixed workload
ANONYMOUS_READERS = 4  # clients without credentials, reading the list and films
DEADLINE_SECONDS = 90  # a safety stop for every loop, so that a broken server cannot hang CI


def create_films(client, count, prefix="film"):
    films = []
    for n in range(count):
        status, data, _ = client.request(
            "POST", "/api/", {"title": f"{prefix} {n}", "release_date": "1999-09-15"}
        )
        assert status == HTTPStatus.CREATED, (status, data)
        films.append(data)
    return films


def failed(status):
    """No answer, or one from a proxy or a server that could not carry the request out:
    the client cannot tell whether a write took place."""
    return status is None or status >= HTTPStatus.INTERNAL_SERVER_ERROR


class Answers:
    """The outcome of every client's requests (an answer, or none), in the order they
    came: fault injectors wait on their count, and may ask which ones failed before an
    event or were sent after it."""

    def __init__(self):
        # (method, status or None, answers logged when it was sent), in order of arrival
        self.outcomes = []
        self.changed = threading.Condition()
        self.stopping = threading.Event()

    @property
    def count(self):
        return len(self.outcomes)

    def add(self, method, status, sent_at):
        with self.changed:
            self.outcomes.append((method, status, sent_at))
            self.changed.notify_all()

    def wait_for(self, count):
        with self.changed:
            assert self.changed.wait_for(lambda: self.count >= count, DEADLINE_SECONDS), (
                f"only {self.count} answers of the {count} awaited"
            )

    def failures(self, sent_after=-1, answered_before=None):
        """The (method, status or None) of the failed requests, in order of arrival: those
        sent once more than `sent_after` answers had come, among the first `answered_before`.

        Client threads log as the machine schedules them, so an answer logged after an event
        may be to a request sent before it: where a request was sent says which side of the
        event it is on."""
        with self.changed:
            return [
                (method, status)
                for method, status, sent_at in self.outcomes[:answered_before]
                if sent_at > sent_after and failed(status)
            ]

    def stop(self):
        """Clients finish the request they are sending, then stop."""
        self.stopping.set()


class Ledger:
    """What one client thread was promised by the answers it got."""

    def __init__(self, answers=None):
        self.answers = answers or Answers()
        self.statuses = Counter()
        self.errors = 0
        self.error_kinds = Counter()  # how the requests without an answer failed
        self.alive = {}  # id -> (title, release_date) this client created and did not delete
        self.deleted = set()
        self.unanswered_titles = set()
        # id -> the states it may be in after a write that got no answer (None: deleted)
        self.uncertain = {}

    def call(self, client, method, path, body=None):
        sent_at = self.answers.count
        try:
            status, data, response = client.request(method, path, body)
        except (OSError, HTTPException) as error:
            self.errors += 1
            self.error_kinds[f"{method} {type(error).__name__}"] += 1
            self.answers.add(method, None, sent_at)
            return None, None, None
        self.statuses[status] += 1
        self.answers.add(method, status, sent_at)
        return status, data, response


def running(requests, deadline, answers):
    for n in range(requests):
        if answers.stopping.is_set() or time.monotonic() > deadline:
            return
        yield n


def mixed_workload(client, ledger, seed_ids, rng, requests, deadline, tag):
    """Creates, reads, watch/unwatch, edits and deletes, in read-mostly proportions."""
    orderings = ["id", "-title", "release_date", "-watched_at"]
    for n in running(requests, deadline, ledger.answers):
        roll = rng.random()
        own = list(ledger.alive)
        if roll < 0.35:
            query = rng.choice(
                ["", "?is_watched=true", "?search=film", f"?ordering={rng.choice(orderings)}"]
            )
            ledger.call(client, "GET", f"/api/{query}")
        elif roll < 0.55:
            ledger.call(client, "GET", f"/api/{rng.choice(seed_ids + own)}/")
        elif roll < 0.70:
            title = f"{tag} {n}"
            status, data, _ = ledger.call(
                client, "POST", "/api/", {"title": title, "release_date": "2010-07-16"}
            )
            if status == HTTPStatus.CREATED:
                ledger.alive[data["id"]] = (title, "2010-07-16")
            elif failed(status):
                ledger.unanswered_titles.add(title)
        elif roll < 0.85:
            action = rng.choice(["watch", "unwatch"])
            ledger.call(client, "POST", f"/api/{rng.choice(seed_ids)}/{action}/")
        elif roll < 0.93 and own:
            movie_id = rng.choice(own)
            title, release_date = before = ledger.alive[movie_id]
            if rng.random() < 0.5:
                after = (f"{title}+", release_date)
            else:
                after = (title, f"20{rng.randint(10, 29)}-01-01")
            change = dict(zip(("title", "release_date"), after, strict=True))
            status, data, _ = ledger.call(client, "PATCH", f"/api/{movie_id}/", change)
            if status == HTTPStatus.OK:
                ledger.alive[movie_id] = (data["title"], data["release_date"])
            elif failed(status):
                ledger.uncertain[movie_id] = {before, after}
                del ledger.alive[movie_id]
        elif own:
            movie_id = rng.choice(own)
            status, _, _ = ledger.call(client, "DELETE", f"/api/{movie_id}/")
            # A DELETE is idempotent, so a proxy may repeat it on another server when the
            # first one closed the connection unanswered: a 404 then means it took place.
            if status in (HTTPStatus.OK, HTTPStatus.NOT_FOUND):
                del ledger.alive[movie_id]
                ledger.deleted.add(movie_id)
            elif failed(status):
                ledger.uncertain[movie_id] = {ledger.alive.pop(movie_id), None}


LIST_QUERIES = ["", "?is_watched=true", "?search=film", "?ordering=-title", "?page_size=5"]


def anonymous_reads(client, ledger, seed_ids, rng, requests, deadline):
    """A client without credentials: the list with its filters, and the seeded films (which
    no one deletes): every answer must be a 200."""
    for _ in running(requests, deadline, ledger.answers):
        if rng.random() < 0.5:
            ledger.call(client, "GET", f"/api/{rng.choice(LIST_QUERIES)}")
        else:
            ledger.call(client, "GET", f"/api/{rng.choice(seed_ids)}/")


def run_load(urls, token, seed_ids, requests_per_thread, during=None, tag=""):
    """THREADS signed-in clients and ANONYMOUS_READERS anonymous ones, spread over the
    `urls`; `during(answers)` runs in the meantime (a fault injector waits on `answers`,
    and may stop the clients early). The titles of the films created start with `tag`.
    Returns the signed-in clients' ledgers and the anonymous ones'."""
    answers = Answers()
    ledgers = [Ledger(answers) for _ in range(THREADS)]
    readers = [Ledger(answers) for _ in range(ANONYMOUS_READERS)]
    deadline = time.monotonic() + DEADLINE_SECONDS

    def client_thread(n):
        client = ApiClient(urls[n % len(urls)], token)
        rng = random.Random(n)
        mixed_workload(
            client, ledgers[n], seed_ids, rng, requests_per_thread, deadline, f"{tag}t{n}"
        )

    def reader_thread(n):
        client = ApiClient(urls[n % len(urls)])
        rng = random.Random(1000 + n)
        anonymous_reads(client, readers[n], seed_ids, rng, requests_per_thread, deadline)

    with ThreadPoolExecutor(THREADS + ANONYMOUS_READERS) as pool:
        futures = [pool.submit(client_thread, n) for n in range(THREADS)]
        futures += [pool.submit(reader_thread, n) for n in range(ANONYMOUS_READERS)]
        try:
            if during:
                during(answers)
        except BaseException:
            answers.stop()  # a failed fault injector ends the load too
            raise
        finally:
            for future in futures:
                future.result()
    return ledgers, readers


def check_database_matches(ledgers, base_url, seed_count):
    movies = {m["id"]: m for m in ApiClient(base_url).all_movies()}
    for ledger in ledgers:
        for movie_id, (title, release_date) in ledger.alive.items():
            assert movie_id in movies, f"created film {movie_id} is missing"
            assert (movies[movie_id]["title"], movies[movie_id]["release_date"]) == (
                title,
                release_date,
            )
        assert not ledger.deleted & movies.keys(), "a deleted film is still there"
        for movie_id, states in ledger.uncertain.items():
            found = movies.get(movie_id)
            state = found and (found["title"], found["release_date"])
            assert state in states, f"film {movie_id} is {state}, expected one of {states}"
    for movie in movies.values():
        assert (movie["watched_at"] is not None) == movie["is_watched"], movie
    titles = Counter(movie["title"] for movie in movies.values())
    assert max(titles.values()) == 1, "a film was written twice"
    alive = sum(len(ledger.alive) for ledger in ledgers)
    unanswered = sum(len(ledger.unanswered_titles) + len(ledger.uncertain) for ledger in ledgers)
    assert seed_count + alive <= len(movies) <= seed_count + alive + unanswered
    return movies


def summary(ledgers):
    statuses = sum((ledger.statuses for ledger in ledgers), Counter())
    errors = sum(ledger.errors for ledger in ledgers)
    return statuses, errors
