#!/usr/bin/env bash
# Everything the tests need that npm does not bring, checked by what the tests actually do with
# it (not by a name on the PATH), installed from Debian when a check fails, then checked again.
#
#   tool the tests use                    check                                         package(s)
#   make, cc (firmware host build, -lm)   compile and link a C program with -lm         make, gcc, libc6-dev
#   arm-none-eabi-gcc (make cortex-m)     link a Cortex-M4F program with nano.specs     gcc-arm-none-eabi,
#                                         and nosys.specs; arm-none-eabi-size reads it  libnewlib-arm-none-eabi,
#                                                                                       binutils-arm-none-eabi
#   qemu-system-arm (make qemu,           boot a tiny Cortex-M4 image on -M netduinoplus2  qemu-system-arm
#   test/firmware/qemu-board.test.ts)     and read its USART2 line on -serial stdio
#   socat (pty pairs)                     open a pty pair and see both ends named       socat
#   log2asc (can-utils)                   convert a one-line candump -L log             can-utils
#   chromium (report test)                --headless --version, then render a page      chromium
#   a one-node Slurm (test/slurm/*.sh,    munged, mungekey, munge, unmunge, slurmctld,  slurm-wlm (brings
#   test/campaign/slurm.test.ts)          slurmd, sbatch, squeue, sinfo, scontrol run;  slurmctld, slurmd,
#                                         mungekey makes a key; slurmd -C reads the     slurm-client), munge
#                                         node; the clients read a slurm.conf
#
# The test suite spawns nothing else from Debian (python3 and spin are not used yet;
# add a row here when a test starts to). Safe to run again: installs only what a check finds
# missing. `apt-get update` runs once, and only when something must be installed.
# On failure each line names the capability and the Debian package still missing; exit 1.
set -euo pipefail

work="$(mktemp -d "${TMPDIR:-/tmp}/triplex-setup.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Each check returns 0 when the capability works; on failure it sets `why` to the Debian package
# that is missing (the most specific one it can tell) and returns 1.
why=""

check_cc() {
  command -v make >/dev/null 2>&1 || { why=make; return 1; }
  command -v cc >/dev/null 2>&1 || { why=gcc; return 1; }
  printf '#include <math.h>\nint main(void) { return (int)floor(0.5); }\n' >"$work/host.c"
  cc -std=c99 -O1 -o "$work/host" "$work/host.c" -lm >/dev/null 2>&1 && "$work/host" || { why=libc6-dev; return 1; }
}

# The same flags as firmware-bridge/Makefile's cortex-m target: hard-float M4F, newlib-nano.
check_arm() {
  command -v arm-none-eabi-gcc >/dev/null 2>&1 || { why=gcc-arm-none-eabi; return 1; }
  command -v arm-none-eabi-size >/dev/null 2>&1 || { why=binutils-arm-none-eabi; return 1; }
  printf 'int main(void) { return 0; }\n' >"$work/m4.c"
  arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -Os \
    --specs=nano.specs --specs=nosys.specs -o "$work/m4.elf" "$work/m4.c" -lm >/dev/null 2>&1 \
    && arm-none-eabi-size -B "$work/m4.elf" >/dev/null 2>&1 || { why=libnewlib-arm-none-eabi; return 1; }
}

# A 2-word vector table and a loop writing "QEMU-OK" to USART2's data register (QEMU models the
# netduinoplus2 USARTs: the second -serial is USART2, the one the firmware uses). Needs check_arm.
check_qemu() {
  why=qemu-system-arm
  command -v qemu-system-arm >/dev/null 2>&1 || return 1
  qemu-system-arm -M help 2>/dev/null | grep -q '^netduinoplus2 ' || return 1
  command -v arm-none-eabi-gcc >/dev/null 2>&1 || return 1
  cat >"$work/boot.c" <<'C'
#include <stdint.h>
#define USART2 0x40004400u
void reset(void) {
    const char *text = "QEMU-OK\n";
    *(volatile uint32_t *)(USART2 + 0x0cu) = (1u << 13) | (1u << 3); /* UE | TE */
    while (*text != 0) *(volatile uint32_t *)(USART2 + 0x04u) = (uint8_t)*text++;
    for (;;) {}
}
__attribute__((section(".vectors"), used)) static const uintptr_t vectors[2] = {0x20001000u, (uintptr_t)reset};
C
  arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os -nostdlib -nostartfiles -Wl,--section-start=.vectors=0x08000000 \
    -Wl,-Ttext=0x08000100 -Wl,-e,reset -o "$work/boot.elf" "$work/boot.c" >/dev/null 2>&1 || return 1
  timeout 20 qemu-system-arm -M netduinoplus2 -nographic -monitor none -serial null -serial stdio \
    -kernel "$work/boot.elf" </dev/null >"$work/qemu.out" 2>&1 &
  local pid=$! found=0
  for _ in $(seq 1 100); do
    if grep -q 'QEMU-OK' "$work/qemu.out" 2>/dev/null; then found=1; break; fi
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ "$found" = 1 ]
}

check_socat() {
  why=socat
  command -v socat >/dev/null 2>&1 || return 1
  timeout 3 socat -d -d pty,raw,echo=0 pty,raw,echo=0 2>"$work/socat.err" &
  local pid=$! found=0
  for _ in $(seq 1 30); do
    if [ "$(grep -c 'PTY is' "$work/socat.err" 2>/dev/null || true)" -ge 2 ]; then found=1; break; fi
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ "$found" = 1 ]
}

check_log2asc() {
  why=can-utils
  command -v log2asc >/dev/null 2>&1 || return 1
  printf '(1.000000) can0 123#DEADBEEF\n' >"$work/one.log"
  log2asc -I "$work/one.log" can0 2>/dev/null | grep -qi 'de ad be ef'
}

check_chromium() {
  why=chromium
  [ -x /usr/bin/chromium ] || return 1
  timeout 60 /usr/bin/chromium --headless --version >/dev/null 2>&1 || return 1
  timeout 60 /usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/chromium-profile" \
    --dump-dom 'data:text/html,<p id=ok>triplex-setup-ok</p>' 2>/dev/null | grep -q 'triplex-setup-ok'
}

# The binaries test/slurm/start-cluster.sh and the Slurm test run, each run once without a daemon
# (the daemons themselves start in the test, which prints their logs when they do not come up).
check_slurm() {
  local b PATH="$PATH:/usr/sbin:/sbin"  # the daemons live in sbin, not on every user's PATH
  for b in munged mungekey munge unmunge; do command -v "$b" >/dev/null 2>&1 || { why=munge; return 1; }; done
  command -v slurmctld >/dev/null 2>&1 || { why=slurmctld; return 1; }
  command -v slurmd >/dev/null 2>&1 || { why=slurmd; return 1; }
  for b in sbatch squeue sinfo scontrol; do command -v "$b" >/dev/null 2>&1 || { why=slurm-client; return 1; }; done
  why=munge
  munged --version >/dev/null 2>&1 && mungekey --create --force --keyfile="$work/munge.key" >/dev/null 2>&1 \
    && [ -s "$work/munge.key" ] || return 1
  why=slurmctld
  slurmctld -V >/dev/null 2>&1 || return 1
  why=slurmd
  slurmd -V >/dev/null 2>&1 && slurmd -C 2>/dev/null | grep -q '^NodeName=' || return 1
  # The clients will not even print their version without a configuration to read.
  why=slurm-client
  printf 'ClusterName=setup\nSlurmctldHost=localhost\nNodeName=localhost CPUs=1 State=UNKNOWN\nPartitionName=p Nodes=ALL Default=YES\n' >"$work/slurm.conf"
  for b in sbatch squeue sinfo scontrol; do
    SLURM_CONF="$work/slurm.conf" "$b" --version 2>/dev/null | grep -q '^slurm' || return 1
  done
}

# check | Debian packages that make it pass | what the tests use it for (for the failure line)
checks=(
  "check_cc|make gcc libc6-dev|a C compiler and make (the firmware host build)"
  "check_arm|gcc-arm-none-eabi binutils-arm-none-eabi libnewlib-arm-none-eabi|the Cortex-M cross build with nano.specs"
  "check_qemu|qemu-system-arm|qemu-system-arm booting a Cortex-M4 image on -M netduinoplus2"
  "check_socat|socat|pseudo-terminal pairs from socat"
  "check_log2asc|can-utils|log2asc reading a candump log"
  "check_chromium|chromium|headless Chromium rendering a page"
  "check_slurm|slurm-wlm munge|a one-node Slurm cluster (munged, slurmctld, slurmd, sbatch, squeue)"
)

# Runs every check; fills `failed` with the failing rows and `missing` with their precise packages.
run_checks() {
  failed=()
  missing=()
  local row
  for row in "${checks[@]}"; do
    why=""
    if ! "${row%%|*}"; then
      failed+=("$row")
      missing+=("$why")
    fi
  done
}

run_checks
if [ ${#failed[@]} -gt 0 ]; then
  pkgs=()
  for row in "${failed[@]}"; do
    rest="${row#*|}"
    read -r -a p <<<"${rest%%|*}"
    pkgs+=("${p[@]}")
  done
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  echo "test setup: missing ${missing[*]}; installing Debian packages: ${pkgs[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
fi

# Self-check: every capability the tests use, after any install. One line per failure.
run_checks
if [ ${#failed[@]} -gt 0 ]; then
  for i in "${!failed[@]}"; do
    rest="${failed[$i]#*|}"
    echo "test setup: FAILED: ${rest#*|}: Debian package ${missing[$i]} is missing or broken (apt-get install -y ${missing[$i]})" >&2
  done
  exit 1
fi
echo "test setup: ok (cc+make, Cortex-M link with nano.specs, qemu netduinoplus2 boot, socat ptys, log2asc, headless chromium, slurm+munge)"
