#!/usr/bin/env bash
# Frees the Raspberry Pi's primary UART (GPIO 14 TXD / 15 RXD, /dev/serial0) for a board:
# turns the Linux login console off it and, on boards with Bluetooth (Pi 3, 4, 5, Zero W),
# optionally moves Bluetooth off the PL011 so /dev/serial0 is the full UART, not the mini-UART
# whose baud rate follows the VPU clock. Run as root, then reboot. Idempotent.
#
#   sudo hil/pi/setup-uart.sh [--disable-bluetooth]
set -euo pipefail
disable_bt=no
case "${1:-}" in
  --disable-bluetooth) disable_bt=yes ;;
  "") ;;
  *) echo "setup-uart.sh: unknown option '$1' (only --disable-bluetooth)" >&2; exit 2 ;;
esac
[ "$(id -u)" -eq 0 ] || { echo "setup-uart.sh: run as root (sudo)" >&2; exit 2; }

# Bookworm keeps the boot files in /boot/firmware; older releases in /boot.
boot=/boot/firmware
[ -f "$boot/config.txt" ] || boot=/boot
config="$boot/config.txt"
cmdline="$boot/cmdline.txt"
[ -f "$config" ] && [ -f "$cmdline" ] || { echo "setup-uart.sh: no $config / $cmdline: is this a Raspberry Pi OS image?" >&2; exit 1; }

# 1. No serial login console: drop console=serial0,… / console=ttyAMA0,… / console=ttyS0,… from cmdline.txt.
cp -n "$cmdline" "$cmdline.triplex-backup"
sed -i -E 's/ ?console=(serial0|ttyAMA0|ttyS0),[0-9]+//g' "$cmdline"
systemctl disable --now serial-getty@ttyAMA0.service serial-getty@ttyS0.service serial-getty@serial0.service 2>/dev/null || true

# 2. UART on.
grep -q '^enable_uart=1' "$config" || echo 'enable_uart=1' >> "$config"

# 3. Bluetooth: on Pi 3/4/Zero W the PL011 drives Bluetooth and /dev/serial0 is the mini-UART.
#    disable-bt gives the PL011 back to GPIO 14/15 (and `hciuart` must not start).
if [ "$disable_bt" = yes ]; then
  grep -q '^dtoverlay=disable-bt' "$config" || echo 'dtoverlay=disable-bt' >> "$config"
  systemctl disable hciuart.service 2>/dev/null || true
fi

echo "UART configured in $config and $cmdline (backup: $cmdline.triplex-backup). Reboot, then check:"
echo "  ls -l /dev/serial0      # -> ttyAMA0 (PL011) or ttyS0 (mini-UART)"
echo "  stty -F /dev/serial0 115200 raw -echo"
