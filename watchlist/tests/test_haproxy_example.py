"""The HAProxy example (deploy/haproxy/haproxy.cfg) is valid as shipped, the docs show it as
it is, and it repeats only requests that are harmless to repeat.
(test_scale_out.py runs it in front of three instances of the app.)"""

import os
import socketserver
import subprocess
import threading
from http import HTTPStatus

import pytest

from watchlist.tests.live import BASE_DIR, HAPROXY, HAPROXY_CONFIG, ApiClient, HAProxy


def test_docs_show_the_example_as_it_is():
    """The page includes the file itself (pymdownx.snippets), so it cannot differ; the
    strict docs build fails if the file moves."""
    page = (BASE_DIR / "docs" / "deploying" / "load-balancer.md").read_text()
    included = f'--8<-- "{HAPROXY_CONFIG.relative_to(BASE_DIR)}"'

    assert f"```haproxy\n{included}\n```" in page


@pytest.mark.skipif(
    HAPROXY is None and not os.environ.get("CI"), reason="no haproxy (apt-get install haproxy)"
)
def test_example_configuration_is_valid():
    assert HAPROXY, "no haproxy"

    checked = subprocess.run(
        [HAPROXY, "-c", "-f", str(HAPROXY_CONFIG)], capture_output=True, text=True, check=False
    )

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Configuration file is valid" in checked.stdout


class Unanswering(socketserver.ThreadingTCPServer):
    """A stand-in instance on loopback: healthy to HAProxy's checks (/readyz), and closing
    the connection on every other request without an answer, as an instance that dies
    mid-request does; it notes each request line it was sent."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, received):
        self.received = received
        super().__init__(("127.0.0.1", 0), self.Handler)

    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            line = self.rfile.readline().decode()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # the headers
            method, path, _ = line.split(" ", 2)
            if path == "/readyz":
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                return
            self.server.received.append((method, path))


@pytest.fixture
def unanswering_instances(tmp_path):
    """HAProxy with the example's settings in front of two unanswering instances; what
    reached them, in order."""
    assert HAPROXY, "no haproxy"
    received = []
    instances = [Unanswering(received) for _ in range(2)]
    for instance in instances:
        threading.Thread(target=instance.serve_forever, daemon=True).start()
    ports = {f"web{n}": instance.server_address[1] for n, instance in enumerate(instances, 1)}
    balancer = HAProxy(ports, tmp_path)
    try:
        yield balancer, received
    finally:
        balancer.stop()
        for instance in instances:
            instance.shutdown()
            instance.server_close()


@pytest.mark.live
@pytest.mark.skipif(
    HAPROXY is None and not os.environ.get("CI"), reason="no haproxy (apt-get install haproxy)"
)
@pytest.mark.parametrize(
    ("method", "path", "retried"),
    [
        ("GET", "/api/1/", True),
        ("PUT", "/api/1/", True),
        ("GET", "/api/watch/1/", False),  # it marks the film watched
        ("POST", "/api/1/watch/", False),
        ("PATCH", "/api/1/", False),
    ],
)
def test_only_requests_that_change_nothing_when_repeated_are_retried(
    unanswering_instances, method, path, retried
):
    balancer, received = unanswering_instances

    status = ApiClient(balancer.url).request(method, path)[0]

    assert status == HTTPStatus.BAD_GATEWAY  # HAProxy's own answer: no instance answered
    sent = [request for request in received if request == (method, path)]
    assert len(sent) > 1 if retried else sent == [(method, path)]
