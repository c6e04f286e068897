#!/usr/bin/env bash
# Runs the host-built board firmware on a pseudo-terminal with a stable name, the way a USB
# board appears under a udev symlink on a Raspberry Pi (docs/HIL.md):
#
#   hil/board-pty.sh [CHANNEL] [PERIOD_US]      # default A, 4000 (250 Hz)
#
# The rig talks to /tmp/triplex-board-CHANNEL (hil/rigs/mixed-pty.json uses channel A). socat
# holds the pty pair, so the board process can be killed and restarted (kill = unplug, restart
# = replug) while the rig's end of the line stays put. Ctrl-C stops both.
set -euo pipefail
channel=${1:-A}
period_us=${2:-4000}
case "$channel" in A|B|C) ;; *) echo "board-pty.sh: channel must be A, B or C, got '$channel'" >&2; exit 2 ;; esac
root=$(cd "$(dirname "$0")/.." && pwd)
board="$root/firmware-bridge/build/host/triplex-board"
[ -x "$board" ] || { echo "board-pty.sh: $board missing: run 'make -C firmware-bridge host' first" >&2; exit 2; }
command -v socat >/dev/null || { echo "board-pty.sh: socat not found (apt-get install socat)" >&2; exit 2; }
host_end=/tmp/triplex-board-$channel
board_end=/tmp/triplex-board-$channel.board
socat pty,raw,echo=0,link="$board_end" pty,raw,echo=0,link="$host_end" &
socat_pid=$!
cleanup() { kill "$socat_pid" ${board_pid:-} 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT
# A signal ends the script (and, through the EXIT trap, socat and the board); it must not
# fall back into the restart loop below.
trap 'exit 130' INT
trap 'exit 143' TERM
for _ in $(seq 50); do [ -e "$host_end" ] && [ -e "$board_end" ] && break; sleep 0.1; done
[ -e "$host_end" ] || { echo "board-pty.sh: socat did not create $host_end" >&2; exit 1; }
echo "board $channel on $host_end (board end $board_end); kill the triplex-board process to unplug it"
while true; do
  "$board" --tty "$board_end" --channel "$channel" --period-us "$period_us" &
  board_pid=$!
  wait "$board_pid" || true
  echo "board $channel stopped; restarting in 2 s (Ctrl-C to end)" >&2
  sleep 2
done
