"""The container's HEALTHCHECK: `python3 -m watchlist.probe` exits 0 when /healthz answers.

Uses only the standard library: it must start fast and work in an image without curl.
"""

import os
import sys
import urllib.request


def main():
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return 0 if response.status == 200 else 1
    except OSError as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
