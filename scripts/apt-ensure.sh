#!/usr/bin/env bash
# Usage: scripts/apt-ensure.sh COMMAND PACKAGE — install PACKAGE with apt-get when COMMAND is missing.
set -euo pipefail
cmd=$1 pkg=$2
command -v "$cmd" >/dev/null 2>&1 && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: $cmd is missing and apt-get is not available; install $pkg yourself" >&2; exit 1
fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo -n"
echo "installing $pkg (for $cmd) with apt-get..." >&2
if ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >/dev/null 2>&1; then
  $sudo apt-get update -q >/dev/null 2>&1 || true
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >/dev/null \
    || { echo "error: could not install $pkg; install it and retry" >&2; exit 1; }
fi
