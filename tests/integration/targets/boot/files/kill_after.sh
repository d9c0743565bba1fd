#!/usr/bin/env bash
# kill_after.sh PATTERN LOG -- COMMAND...: run COMMAND (output to LOG) in a session of its own
# and SIGKILL that whole session's process group the moment LOG shows PATTERN, as an operator's
# kill -9 or a dying AWX node would. Prints "killed" or "finished rc=N".
set -u
pattern=$1 log=$2
shift 3
setsid "$@" >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 3000); do
  if grep -q -- "$pattern" "$log"; then
    kill -9 -- "-$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    echo killed
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid"
    echo "finished rc=$?"
    exit 0
  fi
  sleep 0.1
done
kill -9 -- "-$pid" 2>/dev/null
echo "timeout waiting for $pattern" >&2
exit 1
