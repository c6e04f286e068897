#!/usr/bin/env bash
# A USB SLCAN adapter (CANable, USBtin, Lawicel CANUSB…) as a SocketCAN interface via slcand
# (can-utils). Use this when the rig should see the adapter as `socketcan` (can0, slcan0);
# for the `slcan` rig channel kind Triplex talks SLCAN on the serial port itself and needs
# neither this script nor root.
#
#   sudo hil/pi/slcand.sh DEVICE [IFNAME] [BITRATE]   # e.g. /dev/triplex-slcan0 slcan0 1000000
#   sudo hil/pi/slcand.sh stop [IFNAME]
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "slcand.sh: run as root (sudo)" >&2; exit 2; }
command -v slcand >/dev/null || { echo "slcand.sh: slcand not found (apt-get install can-utils)" >&2; exit 2; }
if [ "${1:-}" = stop ]; then
  ifname=${2:-slcan0}
  ip link set "$ifname" down 2>/dev/null || true
  pkill -x -f "slcand .* $ifname" || true
  exit 0
fi
device=${1:?usage: slcand.sh DEVICE [IFNAME] [BITRATE]}
ifname=${2:-slcan0}
bitrate=${3:-1000000}
# slcand's -s codes: S0 10k, S1 20k, S2 50k, S3 100k, S4 125k, S5 250k, S6 500k, S7 800k, S8 1M.
case "$bitrate" in
  10000) s=0 ;; 20000) s=1 ;; 50000) s=2 ;; 100000) s=3 ;; 125000) s=4 ;;
  250000) s=5 ;; 500000) s=6 ;; 800000) s=7 ;; 1000000) s=8 ;;
  *) echo "slcand.sh: bitrate must be one of 10000 20000 50000 100000 125000 250000 500000 800000 1000000" >&2; exit 2 ;;
esac
[ -e "$device" ] || { echo "slcand.sh: no such device $device" >&2; exit 1; }
modprobe can
modprobe can-raw
modprobe slcan
# -o open, -c close on exit, -f read status flags, -s bit rate; -S 3000000 the USB serial speed.
slcand -o -c -f -s"$s" -S 3000000 "$device" "$ifname"
for _ in $(seq 20); do ip link show "$ifname" >/dev/null 2>&1 && break; sleep 0.1; done
ip link set "$ifname" up txqueuelen 1000
ip -details link show "$ifname"
