#!/usr/bin/env bash
# `make bench` measures with wrk, a C load generator that keeps its own CPU use small.
set -euo pipefail
if command -v wrk >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's wrk for the benchmark..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  exit 0
fi
echo "The benchmark needs wrk. Install it with: sudo apt-get install wrk" >&2
exit 1
