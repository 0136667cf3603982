"""Other libraries' internals that the project uses for speed: one module per library.

Each module's docstring lists every internal it uses and why no public API does; nothing
outside these modules uses another library's internals. `watchlist/tests/test_internals.py`
pins each one (that it exists, takes what it is given here and behaves as relied upon), so
that an upgrade that changes one fails in the test suite, naming it, not in production.
"""
