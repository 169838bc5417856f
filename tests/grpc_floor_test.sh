#!/usr/bin/env bash
# The floors of bench/grpc_floor.cc write what they claim: under a short
# service_load, every floor answers every call, its log holds exactly the
# acknowledged events' bytes, and its head file is what its flushes name
# (none, two 4 KiB slots, or slots carrying the group's bytes). And a wrong
# argument is refused before anything is served.
#
#   tests/grpc_floor_test.sh GRPC_FLOOR SERVICE_LOAD
set -euo pipefail
floor="$1"
load="$2"
work="$(mktemp -d /tmp/grpc-floor-test.XXXXXX)"
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
echo "floor-test-token" >"$work/token"
fail() { echo "FAIL: $*" >&2; exit 1; }

# serve_and_load NAME [floor args...]: serves, loads 1 s with 4 clients and
# batches of $batch events, prints the acknowledged events.
batch=1
max_appends=100000000
serve_and_load() {
  local name="$1" port out events
  shift
  "$floor" --token-file "$work/token" "$@" >"$work/$name.out" 2>&1 &
  pid=$!
  for _ in $(seq 100); do grep -q '^grpc_floor: serving' "$work/$name.out" 2>/dev/null && break; sleep 0.1; done
  port=$(sed -n 's/^grpc_floor: serving on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/$name.out")
  [ -n "$port" ] || fail "$name: did not start: $(cat "$work/$name.out")"
  out=$("$load" --connect "127.0.0.1:$port" --token-file "$work/token" --clients 4 --seconds 1 \
          --max-appends "$max_appends" --batch "$batch")
  kill "$pid"
  wait "$pid" || fail "$name: exit $? after SIGTERM: $(cat "$work/$name.out")"
  pid=
  echo "$out" | grep -q '; 0 failed$' || fail "$name: calls failed: $out"
  events=$(echo "$out" | sed -n "s/^clients 4, batch $batch, sync as served: [0-9]* appends (\([0-9]*\) events).*/\1/p")
  [ -n "$events" ] && [ "$events" -gt 0 ] || fail "$name: no appends: $out"
  echo "$events"
}

size() { stat -c %s "$1"; }

n=$(serve_and_load none)
echo "none: $n events"

bytes=100
for api in sync callback; do
  for flushes in log log-then-head log-beside-head; do
    dir="$work/$api-$flushes"
    n=$(serve_and_load "$api-$flushes" --flushes "$flushes" --api "$api" --dir "$dir" \
          --bytes-per-event "$bytes")
    log=$(size "$dir/log")
    head=$(size "$dir/head")
    echo "$api $flushes: $n events, log $log bytes, head $head bytes"
    [ "$log" -eq $((n * bytes)) ] || fail "$api $flushes: log of $log bytes for $n events of $bytes"
    case "$flushes" in
      log) [ "$head" -eq 0 ] || fail "$api log: a head file of $head bytes, none written" ;;
      # Two 4 KiB slots, as store/head_file.cc.
      log-then-head) [ "$head" -eq 8192 ] || fail "$api log-then-head: head of $head bytes, not 8192" ;;
      # The second slot starts at 1 MiB and holds at least one page of bytes.
      log-beside-head) [ "$head" -ge $((1048576 + 4096)) ] ||
          fail "$api log-beside-head: head of $head bytes, its second slot never written" ;;
    esac
  done
done

# Groups of more than the 1 MiB a write takes (calls of 20 events of 64 KiB;
# 16 calls, 20 MiB): the log still holds every byte, and a head slot stops
# at 1 MiB, short of the other slot.
batch=20
max_appends=16
bytes=65536
dir="$work/big"
n=$(serve_and_load big --flushes log-beside-head --api callback --dir "$dir" --bytes-per-event "$bytes")
log=$(size "$dir/log")
head=$(size "$dir/head")
echo "callback log-beside-head, batches of $batch: $n events, log $log bytes, head $head bytes"
[ "$log" -eq $((n * bytes)) ] || fail "big groups: log of $log bytes for $n events of $bytes"
[ "$head" -eq $((2 * 1048576)) ] || fail "big groups: head of $head bytes, not two slots of 1 MiB"

# Wrong arguments: exit 2, nothing served.
expect_exit() {
  local want="$1" rc=0
  shift
  timeout 10 "$floor" "$@" >"$work/arg.out" 2>&1 || rc=$?
  [ "$rc" -eq "$want" ] || fail "grpc_floor $*: exit $rc, not $want: $(cat "$work/arg.out")"
  grep -q '^grpc_floor: serving' "$work/arg.out" && fail "grpc_floor $*: served"
  return 0
}
expect_exit 2 --token-file "$work/token" --dir "$work/x"
expect_exit 2 --token-file "$work/token" --flushes log
expect_exit 2 --token-file "$work/token" --flushes twice --dir "$work/x"
expect_exit 2 --token-file "$work/token" --api callback
expect_exit 2 --token-file "$work/token" --flushes log --dir "$work/x" --bytes-per-event 0
expect_exit 1 --token-file "$work/no-such-token"
expect_exit 1 --token-file "$work/token" --flushes log --dir /proc/no-such-dir
echo "grpc_floor: every floor wrote what it claims"
