#!/usr/bin/env bash
# Fetch htmx 2.0.11 into static/vendor/ with `npm pack` and check it against the pinned SRI hash.
set -euo pipefail
VERSION=2.0.11
SRI="sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"
dest=static/vendor/htmx-$VERSION.min.js
check() { [ "sha384-$(openssl dgst -sha384 -binary "$1" | openssl base64 -A)" = "$SRI" ]; }
[ -f "$dest" ] && check "$dest" && exit 0
command -v npm >/dev/null || scripts/apt-ensure.sh npm npm
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "htmx.org@$VERSION" >/dev/null && tar xzf "htmx.org-$VERSION.tgz")
check "$tmp/package/dist/htmx.min.js" || { echo "error: htmx $VERSION does not match its SRI hash" >&2; exit 1; }
mkdir -p static/vendor && cp "$tmp/package/dist/htmx.min.js" "$dest"
echo "htmx $VERSION in $dest (SRI checked)" >&2
