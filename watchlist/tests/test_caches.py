"""The diskcache store of the rate limits keeps its connections across requests."""

import pytest
from django.core.cache import caches
from django.core.signals import request_finished

from watchlist.caches import DiskCache


@pytest.mark.skipif(
    not isinstance(caches["default"], DiskCache), reason="the SQLite pass uses diskcache"
)
@pytest.mark.django_db
def test_the_end_of_a_request_leaves_the_connections_open():
    cache = caches["default"]
    cache.add("counter", 1, 60)
    opened = [getattr(shard._local, "con", None) for shard in cache._cache._shards]

    request_finished.send(sender=None)

    assert any(opened)
    assert [getattr(shard._local, "con", None) for shard in cache._cache._shards] == opened
    assert cache.incr("counter") == 2
