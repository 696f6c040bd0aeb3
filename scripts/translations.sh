#!/bin/sh
# Refresh the Vietnamese catalogs: extract each package's English strings, merge them into its
# <package>/translations/vi/LC_MESSAGES/messages.po, then compile the .mo the server loads.
# Usage: sh scripts/translations.sh [package ...]   (default: every package with templates)
set -eu
cd "$(dirname "$0")/.."
BIN="${BIN:-.venv/bin}"
packages="${*:-onestop kiosk counter display admin}"
for pkg in $packages; do
  pot="$(mktemp)"
  "$BIN/pybabel" -q extract -F babel.cfg --no-location --sort-output \
    -k _l -k ngettext:1,2 -k lazy_gettext -o "$pot" "$pkg"
  po="$pkg/translations/vi/LC_MESSAGES/messages.po"
  if [ -f "$po" ]; then
    "$BIN/pybabel" -q update --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date --no-wrap -l vi -i "$pot" -d "$pkg/translations"
  elif grep -q '^msgid "[^"]' "$pot"; then  # only packages with strings get a catalog
    "$BIN/pybabel" -q init --no-wrap -l vi -i "$pot" -d "$pkg/translations"
  fi
  if [ -f "$po" ]; then "$BIN/pybabel" -q compile -l vi -d "$pkg/translations"; fi
  rm -f "$pot"
done
