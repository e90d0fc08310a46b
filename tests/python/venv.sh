# Sourced by the Python peers' scripts: `pinned_venv NAME PINS [CHECK]` makes sure
# <repo>/.cache/venv-NAME (git-ignored) holds exactly PINS from PyPI, set up on first use and
# again only when the pins change (later runs do not touch the network), runs the Python
# CHECK in it once set up, and sets `venv`. Exits 3 if the environment cannot be set up, so a
# test can tell that from a peer's "no". Tests run in parallel: one sets it up, the others wait.
pinned_venv() {
    local name=$1 pins=$2 check=${3:-}
    venv="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.cache/venv-$name"
    mkdir -p "$(dirname "$venv")"
    exec 9>"$venv.lock"
    flock 9
    if [[ "$(cat "$venv/.pins" 2>/dev/null)" != "$pins" ]]; then
        rm -rf "$venv"
        "${PYTHON:-python3}" -m venv "$venv" >&2 || exit 3
        # shellcheck disable=SC2086  # $pins is a list of requirements
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input $pins >&2 || exit 3
        if [[ -n $check ]]; then
            "$venv/bin/python" -c "$check" >&2 || exit 3
        fi
        echo "$pins" >"$venv/.pins"
    fi
    flock -u 9
}
