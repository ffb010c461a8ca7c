#!/usr/bin/env bash
# A one-node Slurm on this machine, for testing `psim reproduce --executor slurm` against the real scheduler
# (docs/cluster.md). Installs Debian's slurm-wlm and munge when missing, writes a one-node slurm.conf, starts
# munged, slurmctld and slurmd, and waits until the node takes jobs. Needs root (CI machines run as root).
#   build/slurm-local.sh start | stop | status
set -euo pipefail
cmd="${1:-start}"
conf=/etc/slurm/slurm.conf
host="$(hostname -s)"

install() {
  command -v sbatch >/dev/null && command -v munged >/dev/null && command -v slurmd >/dev/null && return
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q slurm-wlm munge >/dev/null
}

configure() {
  local cpus mem
  cpus="$(nproc)"
  mem="$(awk '/MemTotal/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)"
  mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge /var/lib/munge /var/log/munge
  cat >"$conf" <<CONF
# written by psim's build/slurm-local.sh: one node, for tests
ClusterName=psim-local
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MinJobAge=3600
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  rm -f /etc/slurm/cgroup.conf # no cgroups: processes tracked by /proc (ProctrackType=proctrack/linuxproc)
  if [ ! -s /etc/munge/munge.key ]; then
    mkdir -p /etc/munge
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  fi
  chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge 2>/dev/null || true
  chmod 0700 /etc/munge; chmod 0400 /etc/munge/munge.key
}

start() {
  install
  configure
  pgrep -x munged >/dev/null || runuser -u munge -- /usr/sbin/munged
  pgrep -x slurmctld >/dev/null || slurmctld || { tail -5 /var/log/slurm/slurmctld.log >&2; exit 1; }
  pgrep -x slurmd >/dev/null || slurmd || { tail -5 /var/log/slurm/slurmd.log >&2; exit 1; }
  for _ in $(seq 1 60); do
    if sinfo -h -o '%t' 2>/dev/null | grep -Eq '^(idle|mix|alloc)'; then echo "slurm: node $host up ($(sinfo -h -o '%c CPUs, partition %P'))"; return; fi
    scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true
    sleep 1
  done
  echo "slurm: the node did not come up" >&2; tail -5 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2; exit 1
}

stop() {
  pkill -x slurmd || true; pkill -x slurmctld || true; pkill -x munged || true
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) sinfo ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
