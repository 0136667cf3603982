"""One client address for the limits, the lockout and the logs."""

import pytest
from django.test import RequestFactory

from watchlist.client_address import client_address


@pytest.mark.parametrize(
    ("num_proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.1", "192.0.2.10"),  # no proxy: the header is the client's to forge
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "203.0.113.5, 198.51.100.1", "198.51.100.1"),  # the proxy appended the last one
        (2, "203.0.113.5, 198.51.100.1", "203.0.113.5"),
        (1, None, "192.0.2.10"),
        (1, "not-an-address", "192.0.2.10"),  # junk is never an identity
        (1, " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_the_address_follows_the_proxy_count(settings, num_proxies, forwarded, expected):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": num_proxies}
    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.10", **headers)

    assert client_address(request) == expected
