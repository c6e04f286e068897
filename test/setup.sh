#!/usr/bin/env bash
# Everything the tests need that npm does not bring: Debian packages for pseudo-terminals
# (socat), can-utils (log2asc checks our candump logs), the Cortex-M cross compiler, and
# Chromium for the HTML report test. Installs only what is missing; safe to run again.
set -euo pipefail
need=()
command -v socat >/dev/null 2>&1 || need+=(socat)
command -v log2asc >/dev/null 2>&1 || need+=(can-utils)
command -v arm-none-eabi-gcc >/dev/null 2>&1 || need+=(gcc-arm-none-eabi)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v make >/dev/null 2>&1 || need+=(make)
command -v cc >/dev/null 2>&1 || need+=(gcc)
if [ ${#need[@]} -gt 0 ]; then
  echo "test setup: installing Debian packages: ${need[*]}"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
else
  echo "test setup: Debian packages present (socat, can-utils, gcc-arm-none-eabi, chromium)"
fi
