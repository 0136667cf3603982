"""The title fold, frozen: the tables behind the title search's meaning and the title order.

A title folds one character at a time: Unicode simple case folding (`CASE_FOLDING`), then
the letter without its diacritics (`ACCENT_FOLDING`), then case folding again (İ, which
simple case folding leaves as it is, is I and then i). `FOLDING` is the whole fold, ready
for `str.translate`: each character that folds, mapped to the text it folds to, one
character or none.

- `CASE_FOLDING`: the mappings of status C and S in Unicode 14.0's CaseFolding.txt (1,454
  of them), one code point to one code point.
- `ACCENT_FOLDING`: a letter whose canonical decomposition (NFD) is one letter and
  diacritics, the marks of the blocks named Combining Diacritical Marks (`DIACRITICS`),
  folds to that letter ("é" to "e", "İ" to "I", "й" to "и", "ñ" to "n"); so does a Latin
  letter "with stroke", which Unicode does not decompose ("ø" to "o", "ł" to "l", "đ" to
  "d", "ħ" to "h"); and a diacritic on its own folds to nothing, so that "e" and U+0301
  fold as "é" does. A letter canonically equivalent to one other (a CJK compatibility
  ideograph, the Ohm sign) folds to it. One letter never becomes two: "ß", "æ", "œ", "þ",
  "ð" and "ı" are letters of their own and stay, and so do marks of other scripts (the
  kana's voicing marks, Indic vowel signs, Hebrew and Arabic points), which change a word.

The tables are data in `casefolding.txt` and `accentfolding.txt`, not computed from the
running Python's `unicodedata`, so that every Python version and both databases fold the
same way: the SQLite function and the PostgreSQL function that the migrations create are
both made from these files. Changing them needs a migration that re-creates the functions
and refolds the stored titles (0006 does it for the accents).

`python -m movies.casefolding` rewrites the files from `unicodedata` (run it with a Python
whose `unicodedata.unidata_version` is the version named in them).
"""

import re
import sys
import unicodedata
from pathlib import Path

TABLE_FILE = Path(__file__).with_name("casefolding.txt")
ACCENT_FILE = Path(__file__).with_name("accentfolding.txt")
UNICODE_VERSION = "14.0.0"
# Combining Diacritical Marks, its Extended and Supplement blocks, for Symbols, Half Marks.
DIACRITICS = [(0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF)]
DIACRITICS += [(0xFE20, 0xFE2F)]
WITH_STROKE = re.compile(r"LATIN (SMALL|CAPITAL) LETTER (\w) WITH STROKE")


def read_table(path=TABLE_FILE):
    """`{code point: code point}`, or `{code point: None}` where the character folds to
    nothing (an empty target in the file)."""
    folding = {}
    for line in path.read_text(encoding="ascii").splitlines():
        if line and not line.startswith("#"):
            source, target = line.split(";")
            folding[int(source, 16)] = int(target, 16) if target else None
    return folding


def code_points():
    return (
        code_point
        for code_point in range(sys.maxunicode + 1)
        if not 0xD800 <= code_point <= 0xDFFF
    )


def derive_table():
    """Simple case folding as `unicodedata` knows it (it offers only the full folding).

    A code point whose full folding is one code point folds to it (status C). Otherwise its
    simple folding (status S) is its one-code-point lowercase, where that lowercase has the
    same full folding; where there is none (status F only, as for ß and İ) it stays as it is.
    """
    folding = {}
    for code_point in code_points():
        char = chr(code_point)
        full = char.casefold()
        lower = char.lower()
        if len(full) == 1:
            folded = full
        elif len(lower) == 1 and lower != char and lower.casefold() == full:
            folded = lower
        else:
            folded = char
        if folded != char:
            folding[code_point] = ord(folded)
    return folding


def is_diacritic(char):
    code_point = ord(char)
    in_blocks = any(first <= code_point <= last for first, last in DIACRITICS)
    return in_blocks and unicodedata.category(char).startswith("M")


def base_letter(char):
    """The letter without its diacritics (itself if it has none), as `unicodedata` says."""
    while True:
        decomposed = unicodedata.normalize("NFD", char)
        marks = decomposed[1:]
        if (
            decomposed != char
            and not is_diacritic(decomposed[0])
            and all(map(is_diacritic, marks))
        ):
            char = decomposed[0]
            continue
        stroked = WITH_STROKE.fullmatch(unicodedata.name(char, ""))
        if stroked is None:
            return char
        try:
            char = unicodedata.lookup(f"LATIN {stroked[1]} LETTER {stroked[2]}")
        except KeyError:
            return char


def derive_accents():
    """`ACCENT_FOLDING` from `unicodedata` (the rules in the module's docstring)."""
    folding = {}
    for code_point in code_points():
        char = chr(code_point)
        if is_diacritic(char):
            folding[code_point] = None
        elif unicodedata.category(char).startswith("L") and (base := base_letter(char)) != char:
            folding[code_point] = ord(base)
    return folding


def compose(case_folding, accent_folding):
    """The whole fold as a `str.translate` table: case, accents, case again."""

    def fold_char(code_point):
        code_point = case_folding.get(code_point, code_point)
        code_point = accent_folding.get(code_point, code_point)
        return "" if code_point is None else chr(case_folding.get(code_point, code_point))

    sources = case_folding.keys() | accent_folding.keys()
    return {
        source: folded
        for source in sorted(sources)
        if (folded := fold_char(source)) != chr(source)
    }


def write_table(path, table, description):
    lines = [
        f"# Unicode {unicodedata.unidata_version} {description}: code point; folded code point.",
        "# Written by `python -m movies.casefolding`; read by movies/casefolding.py.",
        *(
            f"{source:04X};{'' if target is None else f'{target:04X}'}"
            for source, target in sorted(table.items())
        ),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="ascii")


CASE_FOLDING = read_table(TABLE_FILE)
ACCENT_FOLDING = read_table(ACCENT_FILE)
FOLDING = compose(CASE_FOLDING, ACCENT_FOLDING)

if __name__ == "__main__":
    write_table(
        TABLE_FILE, derive_table(), "simple case folding (CaseFolding.txt, status C and S)"
    )
    write_table(
        ACCENT_FILE,
        derive_accents(),
        "letters without their diacritics (NFD, and Latin letters with stroke), and"
        " diacritics alone to nothing",
    )
