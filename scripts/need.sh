#!/usr/bin/env bash
# need.sh COMMAND DEBIAN_PACKAGE: make sure a system command exists, installing the package when we can.
set -euo pipefail
cmd=$1 pkg=$2
# cmd "-" means: no command to look for, just the Debian package (fonts, for instance).
present() { if [ "$cmd" = - ]; then dpkg -s "$pkg" >/dev/null 2>&1; else command -v "$cmd" >/dev/null 2>&1; fi; }
present && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing $pkg (apt-get)..." >&2
  (apt-get install -y -qq "$pkg" >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "$pkg" >/dev/null; }) \
    || { echo "could not install $pkg: run 'sudo apt-get install $pkg'" >&2; exit 1; }
  present && exit 0
fi
echo "$cmd is missing: install it with 'sudo apt-get install $pkg'" >&2
exit 1
