import pytest
from django.conf import settings

from watchlist.tests.live import collected_static, server_env


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """Static files as a deploy collects them, for servers the tests start themselves."""
    tmp_path = tmp_path_factory.mktemp("collected")
    return collected_static(server_env(f"sqlite:///{tmp_path / 'unused.sqlite3'}", tmp_path))


@pytest.fixture
def report(capsys):
    """Print past pytest's capture: CI's log keeps the counts each test saw."""

    def show(text):
        with capsys.disabled():
            print(f"{text} [{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[1]}]")

    return show
