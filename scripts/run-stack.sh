#!/usr/bin/env bash
# Start every process of the Procfile and keep each one running: a process that exits is
# started again after a pause that doubles (1 s … 30 s) while it keeps failing fast, so
# one process that dies never stops the others (honcho would stop them all). Each line of
# output is prefixed with the process name. Ctrl-C / SIGTERM stops them all.
set -uo pipefail
PROCFILE=${PROCFILE:-Procfile}
pids=()

supervise() {  # name command
  local name=$1 cmd=$2 wait=1 started
  while true; do
    started=$SECONDS
    bash -c "exec $cmd" &
    child=$!
    trap 'kill -TERM $child 2>/dev/null; wait $child; exit 0' TERM INT
    wait $child
    code=$?
    (( SECONDS - started > 30 )) && wait=1
    echo "$name exited with status $code; starting it again in ${wait}s" >&2
    sleep $wait
    (( wait = wait * 2 > 30 ? 30 : wait * 2 ))
  done
}

stop() {
  trap - TERM INT
  kill -TERM "${pids[@]}" 2>/dev/null
  wait
  exit 0
}

while IFS= read -r line; do
  [[ $line =~ ^([A-Za-z0-9_-]+):[[:space:]]*(.+)$ ]] || continue
  name=${BASH_REMATCH[1]} cmd=${BASH_REMATCH[2]}
  supervise "$name" "$cmd" > >(sed -u "s/^/$name | /") 2>&1 &
  pids+=($!)
done < "$PROCFILE"
trap stop TERM INT
wait
