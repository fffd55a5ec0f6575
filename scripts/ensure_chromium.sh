#!/usr/bin/env bash
# Make sure Debian's chromium is installed for the browser tests.
# Installs it when missing and possible (root + apt-get); otherwise stops with
# a message that says what to install. Never skips silently.
set -euo pipefail

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "chromium not found at $CHROMIUM: installing Debian's chromium with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  if [ -x "$CHROMIUM" ]; then
    exit 0
  fi
fi

cat >&2 <<MSG
error: the browser tests need Chromium at $CHROMIUM, and it could not be installed here.
Install it, then run the tests again:
    sudo apt-get install chromium          # Debian / Ubuntu
or point CHROMIUM=/path/to/chromium at an existing Chromium or Chrome binary.
MSG
exit 1
