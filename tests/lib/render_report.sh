#!/usr/bin/env bash
# Renders an HTML file the way a person would print it: headless Chromium (Debian's `chromium`)
# prints it to PDF and takes a PNG screenshot, and pdftotext (poppler-utils) extracts the PDF's
# text. Usage: render_report.sh FILE.html OUT_DIR  -> OUT_DIR/report.pdf, report.png, report.txt
#
# Chromium and pdftotext are installed when missing, if this runs as root with apt-get (CI
# machines are fresh Debian with root), keeping the downloaded .debs in .cache/apt for the next
# install. Otherwise it fails saying what to install: a report test never passes unrendered.
set -uo pipefail

html=${1:?usage: render_report.sh FILE.html OUT_DIR}
out=${2:?usage: render_report.sh FILE.html OUT_DIR}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="$(cd "$here/../.." && pwd)/.cache"
say() { printf 'render_report: %s\n' "$*" >&2; }

ensure_tools() {
  command -v chromium >/dev/null && command -v pdftotext >/dev/null && return 0
  if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null; then
    say "chromium and pdftotext are needed: install Debian's chromium and poppler-utils (or run as root with apt-get)"
    return 1
  fi
  # Tests run in parallel: one installs while the others wait.
  mkdir -p "$cache/apt/partial"
  exec 8>"$cache/apt.lock"
  flock 8
  if ! command -v chromium >/dev/null || ! command -v pdftotext >/dev/null; then
    say "installing chromium and poppler-utils with apt-get (debs kept in .cache/apt)"
    local apt=(apt-get -y -q --no-install-recommends -o "Dir::Cache::Archives=$cache/apt"
      -o APT::Sandbox::User=root)
    if ! DEBIAN_FRONTEND=noninteractive "${apt[@]}" install chromium poppler-utils >&2; then
      say "apt-get install failed; updating the package lists and trying again"
      apt-get update -qq >&2 || { say "apt-get update failed"; return 1; }
      DEBIAN_FRONTEND=noninteractive "${apt[@]}" install chromium poppler-utils >&2 || {
        say "apt-get could not install chromium and poppler-utils"
        return 1
      }
    fi
  fi
  flock -u 8
  command -v chromium >/dev/null && command -v pdftotext >/dev/null
}

ensure_tools || exit 1
mkdir -p "$out" || exit 1
url="file://$(cd "$(dirname "$html")" && pwd)/$(basename "$html")"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
common=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run
  --no-default-browser-check --disable-extensions --hide-scrollbars
  "--user-data-dir=$profile" --no-pdf-header-footer)
# A window as wide as an A4 page at 96 dpi (210 mm = 794 px) and tall enough for the first
# sections; the PDF is laid out on A4 by the page's own @page rule.
timeout 120 chromium "${common[@]}" "--print-to-pdf=$out/report.pdf" "$url" >&2 2>"$out/chromium-pdf.log" \
  || { say "chromium could not print the PDF (see $out/chromium-pdf.log)"; exit 1; }
timeout 120 chromium "${common[@]}" --window-size=900,2400 "--screenshot=$out/report.png" "$url" >&2 2>"$out/chromium-png.log" \
  || { say "chromium could not take the screenshot (see $out/chromium-png.log)"; exit 1; }
[[ -s $out/report.pdf && -s $out/report.png ]] || { say "chromium wrote no PDF or PNG"; exit 1; }
pdftotext -layout "$out/report.pdf" "$out/report.txt" || { say "pdftotext failed"; exit 1; }
pdfinfo "$out/report.pdf" 2>/dev/null | grep -E '^Pages:' >&2
exit 0
