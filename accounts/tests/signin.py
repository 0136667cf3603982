"""The sign-in routes as a client sees them, for the tests: the admin's login page, the
browsable API's, and the token endpoint, each with its own way of saying yes and no."""

from dataclasses import dataclass
from http import HTTPStatus

from django.urls import reverse

PASSWORD = "a-long-test-password"
LOCKED_OUT = "Too many failed sign-in attempts"


@dataclass(frozen=True)
class Route:
    name: str
    url_name: str
    accepted: HTTPStatus  # the right password
    rejected: HTTPStatus  # a wrong one, before any lockout
    html: bool

    @property
    def url(self):
        return reverse(self.url_name)

    def attempt(self, client, username, password, **headers):
        return client.post(self.url, {"username": username, "password": password}, **headers)

    def outcome(self, response):
        """'accepted', 'rejected' or 'locked out', checking that the answer is well formed."""
        if response.status_code == self.accepted:
            return "accepted"
        if response.status_code == self.rejected:
            return "rejected"
        assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS, response.status_code
        assert int(response["Retry-After"]) > 0
        assert LOCKED_OUT in response.content.decode()
        return "locked out"


ROUTES = [
    Route("admin", "admin:login", HTTPStatus.FOUND, HTTPStatus.OK, html=True),
    Route("browsable API", "rest_framework:login", HTTPStatus.FOUND, HTTPStatus.OK, html=True),
    Route("token endpoint", "api-token", HTTPStatus.OK, HTTPStatus.BAD_REQUEST, html=False),
]
