"""A made-up IMDb list export, shaped like the real one, for the import benchmark.

    python bench/imdb.py FILE [--rows 100000] [--seed 2024]

The header, the column order and the quoting are those of IMDb's list and watchlist
exports (movies/tests/samples/imdb/watchlist.csv): Title, Original Title, Genres and
Directors quoted, a description quoted when there is one, the rest bare. Every row has its
own `tt` id. The same seed gives the same file, byte for byte.

What the rows hold, roughly as a large real list does: films (Movie, TV Movie, Short, Video)
and a tenth of other title types (series, episodes, a video game...), which an import
skips; a third of the films rated (with the day rated); titles in several languages, with
accents and in other scripts; sequels and remakes that share a title in another year; a
few films not out yet (no release date, rating or votes); now and then a release date in
another year than the film's (a festival showing).
"""

import argparse
import random
from datetime import date, timedelta
from pathlib import Path

HEADER = (
    "Position,Const,Created,Modified,Description,Title,Original Title,URL,Title Type,"
    "IMDb Rating,Runtime (mins),Year,Genres,Num Votes,Release Date,Directors,Your Rating,"
    "Date Rated"
)
FILMS = {"Movie": 82, "TV Movie": 3, "Short": 3, "Video": 2}
OTHERS = {
    "TV Series": 5,
    "TV Mini Series": 2,
    "TV Episode": 1.5,
    "TV Special": 0.5,
    "Video Game": 0.5,
    "Music Video": 0.5,
}
TITLE_TYPES = [*FILMS, *OTHERS]
TYPE_WEIGHTS = [*FILMS.values(), *OTHERS.values()]
GENRES = (  # noqa: SIM905 (a list of words reads better as words)
    "Action Adventure Animation Biography Comedy Crime Documentary Drama Family Fantasy "
    "History Horror Music Musical Mystery Romance Sci-Fi Sport Thriller War Western"
).split()
# Words of titles, by language: English most of all, as IMDb shows titles in English.
ADJECTIVES = (  # noqa: SIM905
    "Dark Last Lost Silent Golden Broken Wild Secret Little Great Red Black White Hidden "
    "Eternal Forgotten Burning Frozen Distant Bitter Sweet Holy Savage Quiet Endless Crimson "
    "Fallen Hollow Lonely Midnight Northern Perfect Electric Velvet Iron Paper Glass"
).split()
NOUNS = (  # noqa: SIM905
    "City House Night Love Day Blood Star War Story Life King Girl World Time Road Home "
    "Winter Ghost River Heart Shadow Empire Island Storm Dream Fire Garden Mountain Sea "
    "Mirror Letter Machine Kingdom Station Harbor Prophet Hunter Stranger Witness Dancer "
    "Sister Brother Daughter Son Wolf Horse Train Bridge Tower Forest Desert Moon Sun Rain "
    "Summer Border Circus Hotel Empire Orchard Promise Silence Frontier Voyage Crown Echo"
).split()
NAMES = (  # noqa: SIM905
    "Amélie Léon Zoë Björn Renée Chloé Józef Ángel Noémie Søren François Agnès Jürgen "
    "Dolores Marguerite Henrik Ingrid Tomás Inés Raphaël Céline Łucja Mário Ýrr Anaïs "
    "Nadia Marco Ethan Lucy Oscar Hana Kenji Akira Mei Yuki Ivan Olga Pedro Sofia"
).split()
FOREIGN = (
    # (title as IMDb shows it, original title): the original in its own language or script.
    ("The Fabulous Destiny", "Le fabuleux destin"),
    ("Y tu mamá también", "Y tu mamá también"),
    ("Spirited Away", "Sen to Chihiro no kamikakushi"),
    ("Crouching Tiger, Hidden Dragon", "Wo hu cang long"),
    ("The Lives of Others", "Das Leben der Anderen"),
    ("Pan's Labyrinth", "El laberinto del fauno"),
    ("City of God", "Cidade de Deus"),
    ("Oldboy", "올드보이"),
    ("Tokyo Story", "東京物語"),
    ("Stalker", "Сталкер"),
    ("Seven Samurai", "七人の侍"),
    ("The Seventh Seal", "Det sjunde inseglet"),
    ("Amores perros", "Amores perros"),
    ("Wild Strawberries", "Smultronstället"),
    ("Ivan's Childhood", "Иваново детство"),
    ("In the Mood for Love", "花樣年華"),
    ("Zorba the Greek", "Αλέξης Ζορμπάς"),
    ("Breathless", "À bout de souffle"),
    ("Children of Heaven", "بچه‌های آسمان"),
    ("The Circle", "Dayereh"),
)
DIRECTORS = (  # noqa: SIM905
    "Agnès Varda|Akira Kurosawa|Alfonso Cuarón|Ang Lee|Bong Joon Ho|Céline Sciamma|"
    "Chantal Akerman|Denis Villeneuve|Federico Fellini|Greta Gerwig|Hayao Miyazaki|"
    "Ingmar Bergman|Jean-Pierre Jeunet|Krzysztof Kieślowski|Lynne Ramsay|Pedro Almodóvar|"
    "Sergio Leone|Wong Kar-wai|Andrei Tarkovsky|Jane Campion|Kathryn Bigelow|Spike Lee|"
    "Satyajit Ray|Wim Wenders|Lukas Moodysson|Claire Denis|Abbas Kiarostami|Yasujirô Ozu"
).split("|")
DESCRIPTIONS = (
    "Recommended by a friend.",
    "Seen the trailer, looks great",
    'The "director\'s cut", if it can be found.',
    "Festival favourite, 2019.\nCheck the restored version.",
    "Part of the box set; watch in order",
)


def title(rng, n):
    """A title and its original title. Most are made of words; one film in eight shares its
    title with an earlier one (a remake or a namesake); a few are foreign films known here
    by an English title."""
    pick = rng.random()
    if pick < 0.03:
        shown, original = rng.choice(FOREIGN)
        return shown, original
    if pick < 0.15 and n > 100:
        return None, None  # the caller reuses an earlier title
    adjective, noun, other = rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(NOUNS)
    name = rng.choice(NAMES)
    shapes = (
        (f"{noun} of the {adjective} {other}", 4),
        (f"{name}'s {adjective} {noun}", 3),
        (f"The {adjective} {noun}", 1),
        (f"The {noun} in the {other}", 1),
        (f"{name} and the {adjective} {noun}", 2),
        (f"A {noun} for {name}", 1),
        (f"{adjective} {noun} {rng.choice(('2', 'II', 'III', 'Part Two', 'Returns'))}", 1),
        (f"{name}", 0.2),
    )
    shown = rng.choices([shape for shape, _ in shapes], [weight for _, weight in shapes])[0]
    return shown, shown


def tt(n, rows):
    """A unique IMDb id: older films have seven digits (zero-padded), newer ones eight."""
    if n < rows * 0.8:
        return f"tt{(n * 3_987_653 + 1_048_573) % 10**7:07d}"
    return f"tt{10**7 + (n * 3_987_653) % (9 * 10**7)}"


def quoted(value):
    return '"' + value.replace('"', '""') + '"' if value else ""


def rows(count, seed=2024):
    """The file's lines after the header, each without its line ending."""
    rng = random.Random(seed)  # noqa: S311 (made-up data: the same file for the same seed)
    titles = []
    for n in range(count):
        kind = rng.choices(TITLE_TYPES, TYPE_WEIGHTS)[0]
        shown, original = title(rng, n)
        if shown is None:
            shown, original = rng.choice(titles)
        else:
            titles.append((shown, original))
        year = min(2026, int(1920 + 106 * rng.random() ** 0.6))
        released = year < 2026 or rng.random() < 0.3
        created = date(2012, 1, 1) + timedelta(days=rng.randrange(5000))
        modified = created + timedelta(days=rng.randrange(30)) if rng.random() < 0.2 else created
        rated = released and kind in FILMS and rng.random() < 0.35
        rated_on = modified + timedelta(days=rng.randrange(365)) if rated else None
        if released:
            release_year = year + (rng.random() < 0.03)  # a festival first, then the release
            release = date(release_year, 1, 1) + timedelta(days=rng.randrange(365))
            release = release if release.year == release_year else date(release_year, 12, 31)
        genres = ", ".join(sorted(rng.sample(GENRES, rng.randint(1, 3))))
        directors = ", ".join(rng.sample(DIRECTORS, 1 if rng.random() < 0.9 else 2))
        const = tt(n, count)
        yield ",".join(
            (
                str(n + 1),
                const,
                created.isoformat(),
                modified.isoformat(),
                quoted(rng.choice(DESCRIPTIONS) if rng.random() < 0.02 else ""),
                quoted(shown),
                quoted(original),
                f"https://www.imdb.com/title/{const}/",
                kind,
                f"{rng.uniform(2, 9.5):.1f}" if released else "",
                str(rng.randint(60, 200) if kind in ("Movie", "TV Movie") else rng.randint(5, 60)),
                str(year),
                quoted(genres),
                str(int(rng.paretovariate(1.2) * 40)) if released else "",
                release.isoformat() if released else "",
                "" if kind in ("TV Series", "TV Mini Series") else quoted(directors),
                str(rng.randint(1, 10)) if rated else "",
                rated_on.isoformat() if rated else "",
            )
        )


def write(path, count=100_000, seed=2024):
    """Write the file at `path` (UTF-8, LF line endings, as IMDb sends it); returns `path`."""
    with Path(path).open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER + "\n")
        for line in rows(count, seed):
            out.write(line + "\n")
    return Path(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    write(args.file, args.rows, args.seed)


if __name__ == "__main__":
    main()
