"""Unicode simple case folding, frozen: the table behind the title search's meaning.

`FOLDING` maps each code point that folds to the one it folds to: the mappings of status C
and S in Unicode 14.0's CaseFolding.txt (1,454 of them), one code point to one code point.
The table is data in `casefolding.txt`, not computed from the running Python's
`unicodedata`, so that every Python version and both databases fold the same way: the
SQLite function and the PostgreSQL function that the migrations create are both made from
this file. Changing it needs a migration that re-creates the functions and rebuilds the
generated column and the index.

`python -m movies.casefolding` rewrites the file from `unicodedata` (run it with a Python
whose `unicodedata.unidata_version` is the version named in the file).
"""

import sys
import unicodedata
from pathlib import Path

TABLE_FILE = Path(__file__).with_name("casefolding.txt")
UNICODE_VERSION = "14.0.0"


def read_table(path=TABLE_FILE):
    folding = {}
    for line in path.read_text(encoding="ascii").splitlines():
        if line and not line.startswith("#"):
            source, target = line.split(";")
            folding[int(source, 16)] = int(target, 16)
    return folding


def derive_table():
    """Simple case folding as `unicodedata` knows it (it offers only the full folding).

    A code point whose full folding is one code point folds to it (status C). Otherwise its
    simple folding (status S) is its one-code-point lowercase, where that lowercase has the
    same full folding; where there is none (status F only, as for ß and İ) it stays as it is.
    """
    folding = {}
    for code_point in range(sys.maxunicode + 1):
        if 0xD800 <= code_point <= 0xDFFF:
            continue
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


def write_table(path=TABLE_FILE):
    lines = [
        f"# Unicode {unicodedata.unidata_version} simple case folding (CaseFolding.txt, status C"
        " and S): code point; folded code point.",
        "# Written by `python -m movies.casefolding`; read by movies/casefolding.py.",
        *(f"{source:04X};{target:04X}" for source, target in sorted(derive_table().items())),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="ascii")


FOLDING = read_table()

if __name__ == "__main__":
    write_table()
