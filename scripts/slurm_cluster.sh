#!/usr/bin/env bash
# A throwaway single-node SLURM cluster on this machine, to try and test profiles/slurm.
#
#   scripts/slurm_cluster.sh start [STATE_DIR]   install SLURM and MUNGE if missing, configure, start,
#                                                and wait until the node accepts jobs
#   scripts/slurm_cluster.sh stop  [STATE_DIR]   cancel the cluster's jobs, stop the daemons this
#                                                script started (by their pid), remove its config
#
# STATE_DIR (default /tmp/zsneq-slurm) holds the daemons' state, logs and pids. Needs root, a
# Debian-like system (apt-get) and no systemd. It refuses to touch a machine that already runs
# SLURM or has an /etc/slurm/slurm.conf it did not write. Every scheduler call has a timeout.
set -euo pipefail

ACTION=${1:-}
STATE=${2:-/tmp/zsneq-slurm}
CONF=/etc/slurm/slurm.conf
MARK="# throwaway single-node cluster written by scripts/slurm_cluster.sh"
PACKAGES=(slurmctld slurmd slurm-client munge)

say() { echo "slurm_cluster: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

alive() { [[ -s $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

install_packages() {
    local missing=()
    for cmd in slurmctld slurmd sbatch squeue munged; do
        command -v "$cmd" >/dev/null || missing+=("$cmd")
    done
    [[ ${#missing[@]} -eq 0 ]] && return
    command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get to install them"
    say "installing ${PACKAGES[*]} (missing: ${missing[*]})"
    export DEBIAN_FRONTEND=noninteractive
    timeout 600 apt-get -o DPkg::Lock::Timeout=300 update -qq \
        || die "apt-get update failed or timed out"
    timeout 1200 apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${PACKAGES[@]}" >/dev/null \
        || die "apt-get install ${PACKAGES[*]} failed or timed out"
    for cmd in slurmctld slurmd sbatch squeue munged; do
        command -v "$cmd" >/dev/null || die "$cmd is still missing after installing ${PACKAGES[*]}"
    done
}

munge_works() { timeout 10 munge -n 2>/dev/null | timeout 10 unmunge >/dev/null 2>&1; }

start_munge() {
    if munge_works; then
        say "using the MUNGE daemon that is already running"
        return
    fi
    if [[ ! -s /etc/munge/munge.key ]]; then
        mkdir -p /etc/munge
        dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    fi
    chown munge:munge /etc/munge/munge.key
    chmod 400 /etc/munge/munge.key
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    chown munge:munge /run/munge /var/log/munge /var/lib/munge
    rm -f /run/munge/munged.pid
    timeout 30 runuser -u munge -- munged || die "munged did not start"
    for _ in $(seq 50); do [[ -s /run/munge/munged.pid ]] && break; sleep 0.2; done
    [[ -s /run/munge/munged.pid ]] || die "munged wrote no pid file"
    cp /run/munge/munged.pid "$STATE/munged.pid"
    munge_works || die "MUNGE does not work (munge -n | unmunge failed)"
}

write_config() {
    local host node
    host=$(hostname -s)
    # The node as slurmd sees the hardware (CPUs, sockets, cores, threads, memory).
    node=$(timeout 30 slurmd -C | head -n 1) || die "slurmd -C failed"
    [[ $node == NodeName=* ]] || die "unexpected output of slurmd -C: $node"
    mkdir -p /etc/slurm "$STATE/ctld" "$STATE/slurmd"
    cat >"$CONF" <<EOF
$MARK
# state: $STATE
ClusterName=zsneq
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/slurmd
SlurmctldPidFile=$STATE/slurmctld.pidfile
SlurmdPidFile=$STATE/slurmd.pidfile
SlurmctldLogFile=$STATE/slurmctld.log
SlurmdLogFile=$STATE/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
MinJobAge=3600
SlurmctldTimeout=30
SlurmdTimeout=30
$node NodeAddr=127.0.0.1 State=UNKNOWN
# Up to two jobs may share a core: a fit holds a CPU per chain but compiles on one, so on a small
# machine two fits overlap instead of one leaving a core idle.
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE OverSubscribe=FORCE:2 State=UP
EOF
}

wait_until_idle() {
    local state=""
    for _ in $(seq 120); do
        alive "$STATE/slurmctld.pid" || die "slurmctld exited; see $STATE/slurmctld.log"
        alive "$STATE/slurmd.pid" || die "slurmd exited; see $STATE/slurmd.log"
        state=$(timeout 10 sinfo -h -N -o %T 2>/dev/null | head -n 1 || true)
        [[ $state == idle ]] && return
        sleep 1
    done
    die "the node did not become idle within 120 s (state: ${state:-none}); see $STATE/*.log"
}

start() {
    [[ $(id -u) -eq 0 ]] || die "needs root (installs packages, writes $CONF, starts daemons)"
    mkdir -p "$STATE"
    if alive "$STATE/slurmctld.pid" && alive "$STATE/slurmd.pid"; then
        say "already running (state in $STATE)"
        wait_until_idle
        return
    fi
    install_packages
    if [[ -e $CONF ]] && ! grep -qxF "$MARK" "$CONF"; then
        die "$CONF exists and was not written by this script; not touching this machine's SLURM"
    fi
    stop_pid slurmd     # half a cluster left by an interrupted start: begin afresh
    stop_pid slurmctld
    for daemon in slurmctld slurmd; do
        if pgrep -x "$daemon" >/dev/null; then
            local hint="" other
            other=$(sed -n 's/^# state: //p' "$CONF" 2>/dev/null || true)
            [[ -n $other ]] && hint="; if this script started it, stop it with: $0 stop $other"
            die "a $daemon is already running that was not started with STATE_DIR=$STATE$hint"
        fi
    done
    start_munge
    write_config
    rm -rf "${STATE:?}/ctld"/* "${STATE:?}/slurmd"/*  # a fresh cluster: no jobs from earlier runs
    # -D: stay in the foreground, so $! is the daemon's own pid; setsid: a session of its own, so no
    # signal meant for the caller's process group (a terminal's Ctrl-C, a test runner) reaches it
    setsid slurmctld -D >>"$STATE/slurmctld.out" 2>&1 </dev/null &
    echo $! >"$STATE/slurmctld.pid"
    setsid slurmd -D >>"$STATE/slurmd.out" 2>&1 </dev/null &
    echo $! >"$STATE/slurmd.pid"
    wait_until_idle
    say "running: node $(hostname -s), partition debug; stop with: $0 stop $STATE"
}

stop_pid() {  # stop_pid NAME: TERM the daemon whose pid this script recorded, KILL after 20 s
    local file="$STATE/$1.pid" pid
    [[ -s $file ]] || return 0
    pid=$(cat "$file")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        if kill -0 "$pid" 2>/dev/null; then
            say "$1 (pid $pid) did not stop on TERM; killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$file"
}

stop() {
    if alive "$STATE/slurmctld.pid"; then
        # Every job on this cluster is a job of this throwaway cluster: cancel them, so no job step
        # outlives the daemons.
        local jobs
        jobs=$(timeout 10 squeue -h -o %A 2>/dev/null || true)
        if [[ -n $jobs ]]; then
            # shellcheck disable=SC2086
            timeout 20 scancel $jobs || say "scancel failed or timed out"
            for _ in $(seq 30); do
                [[ -z $(timeout 10 squeue -h -t RUNNING,COMPLETING -o %A 2>/dev/null || true) ]] && break
                sleep 1
            done
        fi
    fi
    stop_pid slurmd
    stop_pid slurmctld
    stop_pid munged
    if [[ -e $CONF ]] && grep -qxF "$MARK" "$CONF"; then
        rm -f "$CONF"
    fi
    say "stopped (logs kept in $STATE)"
}

case $ACTION in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop [STATE_DIR]" >&2; exit 2 ;;
esac
