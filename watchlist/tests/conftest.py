import pytest

from watchlist.tests.live import collect_static


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """Static files collected once for every server the tests start."""
    return collect_static(tmp_path_factory.mktemp("collected"))
