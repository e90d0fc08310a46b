#!/usr/bin/env bash
# Runs tests/python/webpush_peer.py in <repo>/.cache/venv-webpush (git-ignored), created on
# first use with pinned packages from PyPI; later runs do not touch the network.
# Exits 3 if the environment cannot be set up (see venv.sh).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=venv.sh
source "$here/venv.sh"
# Every package pinned, pywebpush's dependencies included, so a run next year installs the same.
pins="http-ece==1.2.1 py-vapid==1.9.6 cryptography==50.0.2 pywebpush==2.5.0 \
requests==2.34.2 urllib3==2.8.0 certifi==2026.10.18 charset-normalizer==3.5.2 idna==3.20 \
aiohttp==3.14.5 aiohappyeyeballs==2.7.1 aiosignal==1.4.0 attrs==26.1.0 frozenlist==1.8.0 \
multidict==7.2.1 propcache==0.5.4 yarl==1.25.1 typing_extensions==4.16.0 cffi==2.1.1 \
pycparser==3.12"

pinned_venv webpush "$pins"

exec "$venv/bin/python" "$here/webpush_peer.py" "$@"
