#!/usr/bin/env bash
# Adds the MCP2515 SPI CAN controller overlay (the common "RS485 CAN HAT" / PiCAN2 class
# boards) and brings can0 up. Run as root. First run: edits config.txt and asks for a reboot;
# after the reboot: `sudo hil/pi/setup-mcp2515.sh up [BITRATE]` brings the interface up.
#
#   sudo hil/pi/setup-mcp2515.sh install [OSCILLATOR_HZ] [INTERRUPT_GPIO]   # default 12000000 25
#   sudo hil/pi/setup-mcp2515.sh up [BITRATE]                              # default 1000000
#   sudo hil/pi/setup-mcp2515.sh down
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "setup-mcp2515.sh: run as root (sudo)" >&2; exit 2; }
action=${1:-}
case "$action" in
  install)
    osc=${2:-12000000}
    irq=${3:-25}
    [[ "$osc" =~ ^[0-9]+$ && "$irq" =~ ^[0-9]+$ ]] || { echo "setup-mcp2515.sh: oscillator and GPIO must be numbers" >&2; exit 2; }
    boot=/boot/firmware
    [ -f "$boot/config.txt" ] || boot=/boot
    config="$boot/config.txt"
    grep -q '^dtparam=spi=on' "$config" || echo 'dtparam=spi=on' >> "$config"
    if ! grep -q '^dtoverlay=mcp2515-can0' "$config"; then
      # The crystal on the HAT (8, 12 or 16 MHz) must match `oscillator`, or every bit time is wrong.
      echo "dtoverlay=mcp2515-can0,oscillator=$osc,interrupt=$irq" >> "$config"
    fi
    echo "overlay added to $config; reboot, then: sudo $0 up 1000000"
    echo "after the reboot 'dmesg | grep mcp251x' should say: mcp251x spi0.0 can0: MCP2515 successfully initialized."
    ;;
  up)
    bitrate=${2:-1000000}
    [[ "$bitrate" =~ ^[0-9]+$ ]] || { echo "setup-mcp2515.sh: bitrate must be a number" >&2; exit 2; }
    ip link set can0 down 2>/dev/null || true
    # restart-ms: leave bus-off automatically after 100 ms (otherwise can0 stays off until `ip link set can0 up`).
    ip link set can0 up type can bitrate "$bitrate" restart-ms 100
    ip link set can0 txqueuelen 1000
    ip -details -statistics link show can0
    ;;
  down)
    ip link set can0 down
    ;;
  *)
    echo "usage: $0 install [OSCILLATOR_HZ] [INTERRUPT_GPIO] | up [BITRATE] | down" >&2
    exit 2
    ;;
esac
