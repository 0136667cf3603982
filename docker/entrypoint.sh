#!/bin/sh
# Container start: check the settings, migrate and load sample data as asked
# (watchlist/startup.py), then hand PID 1 to the server so that it receives the platform's
# signals.
set -eu
python3 -m watchlist.startup
exec "$@"
