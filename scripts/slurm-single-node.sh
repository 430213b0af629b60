#!/usr/bin/env bash
# A one-node SLURM cluster on this machine (Debian's slurm-wlm + munge), for CI and for trying the
# cluster presets (hydra/launcher=slurm_cpu) without a cluster. Run as root; safe to run again:
# it installs what is missing, (re)writes its own slurm.conf, starts the daemons that are not
# running and waits until the node accepts jobs. Exits non-zero with one line saying why otherwise.
#
#   scripts/slurm-single-node.sh           # set up and start
#   scripts/slurm-single-node.sh --stop    # stop the daemons it started
#
# No cgroups needed: processes are tracked with linuxproc, tasks are not bound (task/none).
# Accounting is on (slurmdbd over a local MariaDB): submitit polls job states with `sacct`, which
# fails on every poll, with a warning, where accounting storage is off.
set -euo pipefail

CONF=/etc/slurm/slurm.conf
DBD_CONF=/etc/slurm/slurmdbd.conf
MARK="# written by barkflow scripts/slurm-single-node.sh"
LOGS=/var/log/slurm
STATE=/var/lib/slurm
WAIT_S=${SLURM_SETUP_WAIT_S:-60}

fail() { echo "slurm-single-node: $*" >&2; exit 1; }
alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

[ "$(id -u)" = 0 ] || fail "run as root: it writes $CONF and starts munged, slurmctld and slurmd"

if [ "${1:-}" = "--stop" ]; then
  for pidfile in /run/slurmd.pid /run/slurmctld.pid /run/slurmdbd.pid /run/munge/munged.pid; do
    if alive "$pidfile"; then kill "$(cat "$pidfile")"; fi
  done
  service mariadb stop >/dev/null 2>&1 || true
  exit 0
fi

PACKAGES="slurm-wlm slurmdbd munge mariadb-server"
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v slurmdbd >/dev/null \
   || ! command -v munged >/dev/null || ! command -v mariadbd >/dev/null; then
  command -v apt-get >/dev/null || fail "SLURM is not installed and there is no apt-get to install $PACKAGES"
  # policy-rc.d in containers stops the packages from starting their daemons; this script starts them
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $PACKAGES >/dev/null) \
    || fail "apt-get could not install $PACKAGES"
fi

for file in "$CONF" "$DBD_CONF"; do
  if [ -e "$file" ] && ! head -n 1 "$file" | grep -qF "$MARK"; then
    fail "$file exists and was not written by this script; move it away to let the script write its own"
  fi
done

# munge: the key the package made (or a new one), the daemon run as the munge user.
if [ ! -s /etc/munge/munge.key ]; then
  if command -v mungekey >/dev/null; then mungekey --create --force; else create-munge-key -f; fi
  chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
fi
mkdir -p /run/munge /var/log/munge /var/lib/munge
chown munge:munge /run/munge /var/log/munge /var/lib/munge
if ! alive /run/munge/munged.pid; then
  runuser -u munge -- munged || fail "munged did not start (see /var/log/munge/munged.log)"
fi
munge -n | unmunge >/dev/null 2>&1 || fail "munge does not round-trip a credential (see /var/log/munge/munged.log)"

# Accounting: MariaDB (slurmdbd logs in as root through the local socket, no password) and slurmdbd.
mkdir -p "$LOGS"
if ! mysqladmin ping >/dev/null 2>&1; then
  service mariadb start >/dev/null || fail "MariaDB did not start (see /var/log/syslog or journalctl -u mariadb)"
fi
dbd_wanted=$(cat <<EOF
$MARK
AuthType=auth/munge
DbdHost=localhost
SlurmUser=root
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=root
StorageLoc=slurm_acct_db
LogFile=$LOGS/slurmdbd.log
PidFile=/run/slurmdbd.pid
EOF
)
if [ "$(cat "$DBD_CONF" 2>/dev/null)" != "$dbd_wanted" ]; then
  (umask 077 && printf '%s\n' "$dbd_wanted" > "$DBD_CONF")
  if alive /run/slurmdbd.pid; then kill "$(cat /run/slurmdbd.pid)"; sleep 1; fi
fi
if ! alive /run/slurmdbd.pid; then
  slurmdbd || fail "slurmdbd did not start (see $LOGS/slurmdbd.log)"
fi

# slurm.conf for this one node: its CPUs, and memory a little below what is free now.
node=$(hostname -s)
cpus=$(nproc)
free_mb=$(awk '/MemAvailable/ {print int($2 / 1024)}' /proc/meminfo)
memory_mb=$(( free_mb * 9 / 10 ))
mkdir -p "$LOGS" "$STATE/slurmctld" "$STATE/slurmd"
wanted=$(cat <<EOF
$MARK
ClusterName=barkflow
SlurmctldHost=$node
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MpiDefault=none
ReturnToService=2
# scancel: SIGTERM (which submitit ignores), then SIGKILL this much later (SLURM's default is 30 s);
# barkflow needs no grace: its cache entries are written whole or not at all
KillWait=1
StateSaveLocation=$STATE/slurmctld
SlurmdSpoolDir=$STATE/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=$LOGS/slurmctld.log
SlurmdLogFile=$LOGS/slurmd.log
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
JobAcctGatherType=jobacct_gather/none
NodeName=$node CPUs=$cpus RealMemory=$memory_mb State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
)
# Rewrite (and restart) only when something but the memory figure changed: a rerun keeps the running cluster.
if ! [ -e "$CONF" ] || [ "$(grep -v '^NodeName=' "$CONF")" != "$(grep -v '^NodeName=' <<<"$wanted")" ] \
   || ! grep -q "^NodeName=$node CPUs=$cpus " "$CONF"; then
  printf '%s\n' "$wanted" > "$CONF"
  for pidfile in /run/slurmd.pid /run/slurmctld.pid; do
    if alive "$pidfile"; then kill "$(cat "$pidfile")"; sleep 1; fi
  done
fi

# The cluster in the accounting database (slurmdbd takes a moment to listen).
for _ in $(seq "$WAIT_S"); do
  sacctmgr -n list cluster format=cluster >/dev/null 2>&1 && break
  sleep 1
done
if ! sacctmgr -n list cluster format=cluster 2>/dev/null | grep -qw barkflow; then
  sacctmgr -i add cluster barkflow >/dev/null || fail "sacctmgr could not add the cluster to accounting (see $LOGS/slurmdbd.log)"
fi

if ! alive /run/slurmctld.pid; then
  slurmctld || fail "slurmctld did not start (see $LOGS/slurmctld.log)"
fi
if ! alive /run/slurmd.pid; then
  slurmd || fail "slurmd did not start (see $LOGS/slurmd.log)"
fi

# Wait for the node: a node that was down (a stopped slurmd) is resumed once.
resumed=0
for _ in $(seq "$WAIT_S"); do
  state=$(sinfo -h -N -n "$node" -o %t 2>/dev/null | head -n 1 || true)
  case "$state" in
    idle|mix|alloc) echo "slurm-single-node: node $node is up ($state) in partition debug, $cpus CPUs"; exit 0 ;;
    down*|drain*|drng*|fail*)
      if [ "$resumed" = 0 ]; then scontrol update NodeName="$node" State=RESUME >/dev/null 2>&1 || true; resumed=1; fi ;;
  esac
  sleep 1
done
fail "node $node is not idle after ${WAIT_S}s (state: ${state:-no answer}); see $LOGS/slurmctld.log and $LOGS/slurmd.log"
