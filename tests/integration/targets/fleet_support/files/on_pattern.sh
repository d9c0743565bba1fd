#!/usr/bin/env bash
# on_pattern.sh PATTERN LOG ACTION -- COMMAND...: run COMMAND (output to LOG) in a session of
# its own and, the moment LOG shows PATTERN (a grep basic regular expression):
#   ACTION "kill"   SIGKILL the whole session's process group, as an operator's kill -9 or a
#                   dying AWX node would; prints "killed"
#   any other       run ACTION with bash while COMMAND goes on, then wait for COMMAND; prints
#                   "acted rc=N" (COMMAND's exit code)
# Prints "finished rc=N" when COMMAND ends before PATTERN shows.
set -u
pattern=$1 log=$2 action=$3
shift 4
setsid "$@" >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 3000); do
  if grep -q -- "$pattern" "$log"; then
    if [ "$action" = kill ]; then
      kill -9 -- "-$pid" 2>/dev/null
      wait "$pid" 2>/dev/null
      echo killed
    else
      bash -c "$action" >>"$log.action" 2>&1 || echo "action failed: $action" >&2
      wait "$pid"
      echo "acted rc=$?"
    fi
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
