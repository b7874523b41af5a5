#!/usr/bin/env bash
# Runs a Python esptool you fetched yourself against `kiln sim` on TCP, for several chips, and prints a pass count.
# Outside CI: esptool is GPL-2.0 and not a dependency of Kiln; nothing of it is kept in this repository.
#
#   ESPTOOL_SRC=/path/to/esptool-source-tree scripts/esptool-against-sim.sh [chip ...]
#
# ESPTOOL_SRC is a checkout of github.com/espressif/esptool (the directory that holds the `esptool` package);
# it runs with PYTHONPATH=$ESPTOOL_SRC and needs pyserial (Debian: python3-serial) plus esptool's other imports
# (python3-intelhex, python3-bitstring, python3-ecdsa, python3-cryptography, python3-yaml; v5.x also
# python3-rich-click). PYTHON defaults to /usr/bin/python3 (where apt installs those).
# Default chips: esp8266 esp32 esp32c3 esp32s3 esp32c6. ESPTOOL_ARGS adds options, e.g. ESPTOOL_ARGS=--no-stub
# for the ROM-only path (then erase-region, and read-flash on the ESP8266, are not offered by esptool).
set -u
cd "$(dirname "$0")/.."
: "${ESPTOOL_SRC:?set ESPTOOL_SRC to an esptool source tree}"
PYTHON="${PYTHON:-/usr/bin/python3}"
CHIPS=("$@")
[ ${#CHIPS[@]} -eq 0 ] && CHIPS=(esp8266 esp32 esp32c3 esp32s3 esp32c6)

work="$(mktemp -d)"
sim_pid=""
cleanup() {
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

esptool() {
  # --before no_reset: a TCP socket has no DTR/RTS; the simulator starts each connection in download mode.
  PYTHONPATH="$ESPTOOL_SRC" timeout 120 "$PYTHON" -m esptool --chip "$chip" --port "$port" \
    --before no_reset --after no_reset ${ESPTOOL_ARGS:-} "$@" >>"$work/log" 2>&1
}

pass=0
fail=0
check() {
  local name="$1"
  shift
  if "$@"; then
    pass=$((pass + 1))
    echo "  pass  $chip $name"
  else
    fail=$((fail + 1))
    echo "  FAIL  $chip $name (see the log below)"
    tail -n 15 "$work/log" | sed 's/^/        /'
    tail -n 5 "$work/sim.out" | sed 's/^/  sim:  /'
  fi
}

head -c 65536 /dev/urandom >"$work/image.bin"
for chip in "${CHIPS[@]}"; do
  : >"$work/log"
  node bin/kiln.mjs sim --chip "$chip" --tcp 127.0.0.1:0 --json >"$work/sim.out" 2>&1 &
  sim_pid=$!
  for _ in $(seq 100); do
    port="$(grep -o 'socket://127.0.0.1:[0-9]*' "$work/sim.out" | head -n 1)"
    [ -n "$port" ] && break
    sleep 0.1
  done
  echo "$chip on $port"
  check flash-id esptool flash_id
  check write-flash esptool write_flash 0x20000 "$work/image.bin"
  check verify-flash esptool verify_flash 0x20000 "$work/image.bin"
  check read-flash-equal bash -c "$(declare -f esptool); chip=$chip port=$port work=$work PYTHON=$PYTHON ESPTOOL_SRC=$ESPTOOL_SRC ESPTOOL_ARGS='${ESPTOOL_ARGS:-}' esptool read_flash 0x20000 65536 '$work/back.bin' && cmp -s '$work/back.bin' '$work/image.bin'"
  if [[ "${ESPTOOL_ARGS:-}" == *--no-stub* ]]; then
    echo "  skip  $chip erase-region (esptool: \"ROM does not support function erase_region\")"
    kill "$sim_pid" 2>/dev/null
    wait "$sim_pid" 2>/dev/null
    sim_pid=""
    continue
  fi
  check erase-region esptool erase_region 0x20000 0x1000
  check erased-reads-ff bash -c "$(declare -f esptool); chip=$chip port=$port work=$work PYTHON=$PYTHON ESPTOOL_SRC=$ESPTOOL_SRC ESPTOOL_ARGS='${ESPTOOL_ARGS:-}' esptool read_flash 0x20000 4096 '$work/erased.bin' && [ \"\$(tr -d '\\377' <'$work/erased.bin' | wc -c)\" -eq 0 ]"
  kill "$sim_pid" 2>/dev/null
  wait "$sim_pid" 2>/dev/null
  sim_pid=""
done
echo "esptool ($(PYTHONPATH="$ESPTOOL_SRC" "$PYTHON" -m esptool version 2>/dev/null | tail -n 1)) against kiln sim: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
