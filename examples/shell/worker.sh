#!/bin/sh
# A plain worker: no protocol, no Python, no library. The launcher passes the node name as $1 ({node});
# it prints a line a second and stops cleanly on SIGTERM.
node=${1:-"(no node: not started by the launcher)"}
trap 'echo "$node: stopping"; exit 0' TERM INT
echo "$node: started, pid $$"
tick=0
while :; do
  tick=$((tick + 1))
  echo "$node: tick $tick"
  # `sleep & wait` rather than `sleep`: the shell runs its TERM trap at once instead of after the sleep.
  sleep 1 &
  wait $!
done
