"""The HAProxy example (deploy/haproxy/haproxy.cfg) is valid as shipped, and the README
shows its backend as it is. (test_scale_out.py runs it in front of three instances.)"""

import os
import re
import subprocess

import pytest

from watchlist.tests.live import BASE_DIR, HAPROXY, HAPROXY_CONFIG


def test_readme_shows_the_example_backend_as_it_is():
    readme = (BASE_DIR / "README.md").read_text()
    shown = re.search(r"```haproxy\n(.*?)```", readme, re.DOTALL)
    config = HAPROXY_CONFIG.read_text()

    assert shown, "no haproxy block in the README"
    assert shown.group(1) == config[config.index("\nbackend watchlist\n") + 1 :]


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
