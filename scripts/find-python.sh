#!/usr/bin/env bash
# Prints the path of a Python interpreter of the version given (3.12, 3.13...), or fails
# saying where it looked and how to get one. Used by `make test-py3.12` and the like.
#
#   scripts/find-python.sh 3.13             # look for it
#   scripts/find-python.sh --install 3.13   # as root, install Debian's when it has one
#
# Looked for, in order: python3.X on PATH, pyenv's builds (~/.pyenv/versions/3.X.*, the
# newest patch release), /usr/local/bin and /usr/bin. Debian 12 packages only Python 3.11;
# Debian 13 has 3.13 (python3.13-venv), Ubuntu 24.04 has 3.12.
set -euo pipefail

install=
if [ "${1:-}" = --install ]; then
    install=1
    shift
fi
version=${1:?usage: find-python.sh [--install] 3.X}

works() {  # a real interpreter of that version, with venv and ensurepip
    [ -x "$1" ] && "$1" -c "import sys, venv, ensurepip; assert sys.version.startswith('$version.')" \
        >/dev/null 2>&1
}

candidates() {
    command -v "python$version" || true
    local root=${PYENV_ROOT:-$HOME/.pyenv}
    if [ -d "$root/versions" ]; then
        # The newest patch release first (3.13.10 after 3.13.9).
        find "$root/versions" -maxdepth 1 -name "$version.*" -printf '%f\n' | grep -E "^$version\.[0-9]+$" \
            | sort -V -r | sed "s|^|$root/versions/|; s|\$|/bin/python$version|" || true
    fi
    echo "/usr/local/bin/python$version"
    echo "/usr/bin/python$version"
}

find_one() {
    local path
    while read -r path; do
        if works "$path"; then
            echo "$path"
            return 0
        fi
    done < <(candidates)
    return 1
}

if find_one; then
    exit 0
fi

if [ -n "$install" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    [ -n "${APT_UPDATED:-}" ] || apt-get update -qq
    if apt-cache show "python$version-venv" >/dev/null 2>&1; then
        echo "Installing Debian's python$version" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "python$version" "python$version-venv" >/dev/null
        find_one && exit 0
    fi
fi

cat >&2 <<EOF
No Python $version here: looked for python$version on PATH, in pyenv's versions
(${PYENV_ROOT:-$HOME/.pyenv}/versions/$version.*), /usr/local/bin and /usr/bin.
The test matrix runs the suite on every Python the project supports (3.11 to 3.13).
$(. /etc/os-release 2>/dev/null && echo "This system is ${PRETTY_NAME:-unknown}; ")Debian 12 packages only Python 3.11, Debian 13 packages 3.13, Ubuntu 24.04 packages 3.12.
Install it with your system's packages (apt-get install python$version python$version-venv)
or with pyenv (pyenv install $version), then run this again.
EOF
exit 1
