import pytest

from watchlist.tests.live import collected_static, server_env


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """Static files as a deploy collects them, for servers the tests start themselves."""
    tmp_path = tmp_path_factory.mktemp("collected")
    return collected_static(server_env(f"sqlite:///{tmp_path / 'unused.sqlite3'}", tmp_path))
