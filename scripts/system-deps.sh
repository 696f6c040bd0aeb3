#!/bin/sh
# Debian packages onestop needs outside Python. `base`: a Python with venv, and libusb for USB
# receipt printers. `lint`: Node.js and npm (ESLint for the page scripts). `test`: Debian's
# Chromium (browser tests drive it; no browser is ever downloaded), zbar (reads printed QR codes
# back) and poppler (renders PDF slips to check them).
# Installs what is missing with apt-get (through sudo when not root).
set -eu
what="${1:-base}"

need=""
case "$what" in
  base)
    python3 -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
      || need="python3 python3-venv"
    # libusb: USB receipt printers (pyusb finds it at run time)
    dpkg -s libusb-1.0-0 >/dev/null 2>&1 || need="$need libusb-1.0-0"
    ;;
  lint)
    command -v npm >/dev/null 2>&1 || need="nodejs npm"
    ;;
  test)
    dpkg -s chromium >/dev/null 2>&1 || need="$need chromium"
    dpkg -s libzbar0 >/dev/null 2>&1 || need="$need libzbar0"
    dpkg -s poppler-utils >/dev/null 2>&1 || need="$need poppler-utils"
    ;;
esac
[ -z "$need" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "onestop needs these Debian packages:$need (no apt-get here: install them yourself)" >&2
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing Debian packages:$need"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# shellcheck disable=SC2086
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $need
