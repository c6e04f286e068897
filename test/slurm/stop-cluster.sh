#!/usr/bin/env bash
# Stops what test/slurm/start-cluster.sh DIR started: cancels the cluster's jobs, then slurmd,
# slurmctld and munged, by the pid files in DIR (never by name), SIGTERM first, SIGKILL after
# 10 s. Leaves DIR in place (the logs stay readable); safe to run twice, or when the start got
# only part way.
#
#   bash test/slurm/stop-cluster.sh DIR
set -uo pipefail

dir="${1:?usage: stop-cluster.sh DIR}"

# Jobs first, while slurmctld still answers: with proctrack/linuxproc a job's slurmstepd and its
# processes outlive slurmd, so cancel every job of this cluster (only this cluster's SLURM_CONF)
# and give them 10 s to go.
if [ -s "$dir/slurm.conf" ] && [ -s "$dir/slurmctld.pid" ] && kill -0 "$(cat "$dir/slurmctld.pid")" 2>/dev/null; then
  export SLURM_CONF="$dir/slurm.conf"
  if timeout 10 scancel --quiet --user="$(id -un)" 2>/dev/null; then
    for _ in $(seq 1 50); do
      [ -z "$(timeout 5 squeue -h -o %i 2>/dev/null || echo busy)" ] && break
      sleep 0.2
    done
  fi
fi

pids=()
for pidfile in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
  [ -s "$pidfile" ] || continue
  pid="$(cat "$pidfile")"
  case "$pid" in '' | *[!0-9]*) continue ;; esac
  kill -0 "$pid" 2>/dev/null || continue
  kill -TERM "$pid" 2>/dev/null || true
  pids+=("$pid")
done

for _ in $(seq 1 100); do
  alive=()
  for pid in ${pids[@]+"${pids[@]}"}; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
  [ ${#alive[@]} -eq 0 ] && exit 0
  sleep 0.1
done
for pid in "${alive[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
exit 0
