#!/usr/bin/env bash
# Starts a one-node Slurm cluster on this machine, as root, with everything under DIR:
#
#   bash test/slurm/start-cluster.sh DIR [CTLD_PORT SLURMD_PORT]
#
# DIR (created if missing, made 0700) gets its own munge key, munged socket, slurm.conf,
# state, spool, logs and pid files, so nothing in /etc, /run or /var is read or written and a
# system munged or Slurm, if there is one, is left alone. No systemd is needed: the daemons are
# started directly. No cgroups: ProctrackType=proctrack/linuxproc, TaskPlugin=task/none,
# JobAcctGatherType=jobacct_gather/none (containers often have no usable cgroup tree).
# Ports default to 6817/6818; pass free ones when something else may hold those.
#
# Waits until the node is idle in `sinfo`, then prints `SLURM_CONF=DIR/slurm.conf` on stdout;
# sbatch, squeue, sinfo and scontrol need that variable. On failure prints why, with the
# daemons' log tails, stops what it started (test/slurm/stop-cluster.sh) and exits 1.
# Needs slurm-wlm and munge (test/setup.sh installs them).
set -euo pipefail

dir="${1:?usage: start-cluster.sh DIR [CTLD_PORT SLURMD_PORT]}"
ctld_port="${2:-6817}"
slurmd_port="${3:-6818}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export PATH="$PATH:/usr/sbin:/sbin"  # munged, slurmctld and slurmd live in sbin

fail() {
  echo "start-cluster: $*" >&2
  for log in munged.log slurmctld.log slurmd.log; do
    if [ -s "$dir/$log" ]; then echo "--- $dir/$log (last 20 lines)" >&2; tail -n 20 "$dir/$log" >&2; fi
  done
  bash "$here/stop-cluster.sh" "$dir" >&2 || true
  exit 1
}

[ "$(id -u)" = 0 ] || { echo "start-cluster: must run as root (SlurmUser=root, slurmd runs jobs as their user)" >&2; exit 1; }
for bin in munged mungekey slurmctld slurmd sbatch squeue sinfo scontrol; do
  command -v "$bin" >/dev/null 2>&1 || { echo "start-cluster: $bin not found (bash test/setup.sh installs slurm-wlm and munge)" >&2; exit 1; }
done

mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
# munged wants every directory above its socket searchable by all (it warns otherwise) and none
# writable by others; the key itself is 0400.
chmod 0711 "$dir"
mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
chmod 0755 "$dir/munge"

# munged: its own key, socket, pid, seed and log in DIR/munge, owned by root (which munged
# checks). `--force` lets it start when a stale socket is left by a killed run.
key="$dir/munge/munge.key"
if [ ! -s "$key" ]; then
  mungekey --create --keyfile="$key" 2>/dev/null || dd if=/dev/urandom of="$key" bs=1 count=1024 status=none
fi
chmod 0400 "$key"
socket="$dir/munge/munge.socket"
munged --force --socket="$socket" --key-file="$key" --pid-file="$dir/munge/munged.pid" \
  --seed-file="$dir/munge/munged.seed" --log-file="$dir/munged.log" \
  || fail "munged did not start"
for _ in $(seq 1 50); do [ -S "$socket" ] && break; sleep 0.1; done
[ -S "$socket" ] || fail "munged made no socket at $socket"
munge --socket="$socket" -n | unmunge --socket="$socket" >/dev/null 2>&1 || fail "munge/unmunge round trip through $socket failed"

host="$(hostname -s)"
# The node as slurmd sees the hardware (CPUs, sockets, cores, threads), less RealMemory (the
# default, 1 MB, asks nothing of it); config_overrides keeps the node usable should it differ.
hw="$(slurmd -C 2>/dev/null | head -n 1 | tr ' ' '\n' | grep -E '^(CPUs|Boards|SocketsPerBoard|CoresPerSocket|ThreadsPerCore)=' | tr '\n' ' ' || true)"
[ -n "$hw" ] || hw="CPUs=$(nproc)"
conf="$dir/slurm.conf"
cat >"$conf" <<EOF
# Written by test/slurm/start-cluster.sh: one node, root, no cgroups, everything under $dir.
ClusterName=triplex-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
MailProg=/bin/true
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SlurmdParameters=config_overrides
ReturnToService=2
InactiveLimit=0
KillWait=5
MinJobAge=300
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$host NodeAddr=127.0.0.1 ${hw}State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$conf"

# -c: do not recover jobs from StateSaveLocation (a fresh cluster each time).
slurmctld -c -f "$conf" || fail "slurmctld did not start"
slurmd -f "$conf" || fail "slurmd did not start"

state=""
for _ in $(seq 1 150); do
  state="$(sinfo -h -N -n "$host" -o '%T' 2>/dev/null || true)"
  case "$state" in idle*) break ;; esac
  sleep 0.2
done
case "$state" in idle*) ;; *) fail "node $host not idle after 30 s (sinfo says: '${state:-nothing}')" ;; esac
echo "SLURM_CONF=$conf"
