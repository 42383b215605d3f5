#!/usr/bin/env bash
# Slurm smoke test: runs the job array that `daformer run … --emit-slurm` writes on a real one-node
# Slurm cluster started on this machine, for a tiny 3-config sweep (tests/cluster/tiny_sweep.csx:
# source-only, DAFormer UDA, target-only on small synthetic data), then checks that every run
# completed and compares them with `daformer compare`.
#
#   sudo tests/cluster/slurm-smoke.sh          # Debian/Ubuntu, as root (installs packages, starts daemons)
#
# Installs Debian's slurm-wlm and munge when missing (apt-get). Everything else — munge key, slurm.conf
# (with this machine's CPUs and memory, from `slurmd -C`), daemon state, logs, data and runs — lives in
# a temporary folder (kept on failure, printed), and the daemons it starts are stopped on exit.
# Environment: SMOKE_KEEP=1 keeps the folder; SMOKE_TIMEOUT (seconds, default 1200) bounds the wait.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
started=$(date +%s)
say() { echo "slurm-smoke [$(( $(date +%s) - started ))s]: $*"; }
fail() { echo "slurm-smoke: FAILED: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail "run as root (it installs slurm-wlm/munge and starts slurmctld, slurmd and munged)."

# --- 1. packages -------------------------------------------------------------------------------
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  command -v apt-get >/dev/null || fail "slurm-wlm and munge are missing and there is no apt-get to install them."
  say "installing slurm-wlm and munge (apt-get)…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends slurm-wlm munge >/dev/null
fi
command -v flock >/dev/null || fail "flock (util-linux) is missing."

# --- 2. a one-node cluster in a temporary folder --------------------------------------------------
tmp="$(mktemp -d /tmp/daformer-slurm-smoke.XXXXXX)"
chmod 755 "$tmp"
pids=()
cleanup() {
  local status=$?
  if [ -n "${SLURM_CONF:-}" ] && command -v scancel >/dev/null; then scancel --quiet --user=root 2>/dev/null || true; fi
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ "$status" -eq 0 ] && [ -z "${SMOKE_KEEP:-}" ]; then rm -rf "$tmp"
  else echo "slurm-smoke: logs, config and runs kept in $tmp" >&2; fi
  exit "$status"
}
trap cleanup EXIT INT TERM

mkdir -p "$tmp/munge" "$tmp/state" "$tmp/spool" "$tmp/log" "$tmp/work"
chmod 700 "$tmp/munge"
# munged insists on a private key and refuses world-writable directories; --force lets it run as root.
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$tmp/munge/munge.key"
socket="$tmp/munge/munge.socket"
munged --force --key-file="$tmp/munge/munge.key" --socket="$socket" --pid-file="$tmp/munge/munged.pid" \
       --log-file="$tmp/log/munged.log" --seed-file="$tmp/munge/munged.seed"
for _ in $(seq 50); do [ -f "$tmp/munge/munged.pid" ] && break; sleep 0.1; done
pids+=("$(cat "$tmp/munge/munged.pid")")
munge --socket="$socket" -n | unmunge --socket="$socket" >/dev/null || fail "munge does not work (see $tmp/log/munged.log)."

host="$(hostname -s)"
# The node line as slurmd sees this machine (CPUs, sockets, cores, threads, RealMemory).
node="$(slurmd -C | head -n 1)"
case "$node" in NodeName=*) ;; *) fail "slurmd -C printed no node line: $node";; esac
node="$(sed "s/^NodeName=[^ ]*/NodeName=$host/" <<<"$node")"
ctl_port=$((20000 + RANDOM % 10000))
cat >"$tmp/slurm.conf" <<EOF
ClusterName=daformer-smoke
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctl_port
SlurmdPort=$((ctl_port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SlurmctldTimeout=30
SlurmdTimeout=30
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=smoke Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$tmp/slurm.conf"
say "starting slurmctld and slurmd ($node)…"
slurmctld -i
slurmd -N "$host"
for _ in $(seq 100); do [ -f "$tmp/slurmctld.pid" ] && [ -f "$tmp/slurmd.pid" ] && break; sleep 0.1; done
[ -f "$tmp/slurmctld.pid" ] || fail "slurmctld did not start (see $tmp/log/slurmctld.log)."
[ -f "$tmp/slurmd.pid" ] || fail "slurmd did not start (see $tmp/log/slurmd.log)."
pids+=("$(cat "$tmp/slurmd.pid")" "$(cat "$tmp/slurmctld.pid")")
for _ in $(seq 60); do
  state="$(sinfo -h -n "$host" -o %T 2>/dev/null || true)"
  case "$state" in idle*|mixed*|allocated*) break;; esac
  sleep 1
done
case "$state" in idle*|mixed*|allocated*) ;; *) fail "the node is '$state', not idle (see $tmp/log/slurmd.log)";; esac
say "cluster up: node $host $state"

# --- 3. data and the job array -------------------------------------------------------------------
cd "$tmp/work"
"$repo/daformer" synth data/synthetic --images 16 --val 4 --size 128x64 >/dev/null
# Converted once here: three tasks starting together must not each convert the same folder.
"$repo/daformer" convert gta data/synthetic/source >/dev/null
"$repo/daformer" convert cityscapes data/synthetic/target >/dev/null
cpus="$(sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' <<<"$node")"
"$repo/daformer" run "$repo/tests/cluster/tiny_sweep.csx" --emit-slurm sweep.sh \
  --slurm-gpus 0 --slurm-cpus 1 --slurm-mem 3G --slurm-time 0:20:00 --slurm-max-parallel "$cpus" --slurm-partition smoke
job="$(cd / && sbatch --parsable "$tmp/work/sweep.sh")"   # submitted from another directory on purpose
job="${job%%;*}"
say "submitted job array $job"

# --- 4. preempt one task, then wait -------------------------------------------------------------
# Task 0 is requeued (as a preemption would) once it has written its first checkpoint; the emitted
# script must then resume it with --resume into the same run directory.
deadline=$(( $(date +%s) + ${SMOKE_TIMEOUT:-1200} ))
requeued=0
while [ "$(date +%s)" -lt "$deadline" ]; do
  if compgen -G "work_dirs/*_synthsrc2synthtgt_source-only_*/latest.pth" >/dev/null; then
    scontrol requeue "${job}_0" && requeued=1
    # Slurm holds a requeued job for a while (BeginTime); let it start again at once.
    scontrol update JobId="${job}_0" StartTime=now || true
    break
  fi
  [ -n "$(squeue -h -j "$job" -o %i 2>/dev/null)" ] || break
  sleep 0.5
done
[ "$requeued" = 1 ] || fail "task 0 wrote no checkpoint to requeue from."
say "requeued task ${job}_0 after its first checkpoint"
while [ -n "$(squeue -h -j "$job" -o %i 2>/dev/null)" ]; do
  [ "$(date +%s)" -lt "$deadline" ] || { squeue -j "$job"; fail "the array did not finish within ${SMOKE_TIMEOUT:-1200} s."; }
  sleep 5
done
say "array $job finished"

# --- 5. checks ------------------------------------------------------------------------------------
logs=(slurm-logs/tiny_sweep_"$job"_*.out)
[ "${#logs[@]}" -eq 3 ] || fail "expected 3 task logs in $tmp/work/slurm-logs, found ${#logs[@]}: ${logs[*]}"
for log in "${logs[@]}"; do
  grep -q "target mIoU:" "$log" || { tail -n 30 "$log" >&2; fail "$log has no 'target mIoU:' line (the run did not complete)."; }
done
grep -q "requeued (restart 1): resuming" slurm-logs/tiny_sweep_"$job"_0.out || fail "the requeued task 0 did not resume (slurm-logs/tiny_sweep_${job}_0.out)."
runs=(work_dirs/*/)
[ "${#runs[@]}" -eq 3 ] || fail "expected 3 run directories in $tmp/work/work_dirs, found ${#runs[@]}."
for r in "${runs[@]}"; do
  [ -f "$r/latest.pth" ] || fail "$r has no latest.pth."
  grep -q '"mode": *"val"' "$r/log.jsonl" || fail "$r/log.jsonl has no evaluation."
  grep -q '"iter": *60' "$r/log.jsonl" || fail "$r/log.jsonl does not reach iteration 60."
done
"$repo/daformer" compare "${runs[@]}" | tee compare.txt
for mode in source-only dacs target-only; do grep -q "$mode" compare.txt || fail "compare does not list the $mode run."; done
say "PASSED: 3 of 3 runs completed on Slurm (wall time $(( $(date +%s) - started )) s)"
