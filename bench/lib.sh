# bench/lib.sh: helpers shared by bench/run.sh and bench/artillery.sh (sourced, not run).
#
# The sourcing script defines log() and die() first. Servers are started by the scripts
# themselves and stopped with stop_pid (by PID, never by name). INT_PIDS lists the pids
# that stop on SIGINT rather than SIGTERM (gunicorn).
# shellcheck shell=bash disable=SC2207,SC2034  # word splitting of numbers; TCK, NCPU are for the sourcing scripts

has() { case " $1 " in *" $2 "*) return 0;; *) return 1;; esac; }   # word $2 in list $1
# 10s, 500ms, 2m, 1h, 7 -> seconds
to_seconds() { awk -v d="$1" 'BEGIN{ m=1; if (d ~ /ms$/) {sub(/ms$/,"",d); m=0.001} else if (d ~ /s$/) sub(/s$/,"",d);
  else if (d ~ /m$/) {sub(/m$/,"",d); m=60} else if (d ~ /h$/) {sub(/h$/,"",d); m=3600}; printf "%g", d*m }'; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{ printf "%.2f", b-a }'; }
kv() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $1" | head -1; }   # value of key=value in a line
alive() { kill -0 "$1" 2>/dev/null; }
tail_log() { [ -f "$1" ] && { echo "--- last lines of $1:"; tail -n 30 "$1"; } >&2 || true; }

children() {
  if command -v pgrep >/dev/null 2>&1; then pgrep -P "$1" || true
  else awk -v p="$1" '$4==p{print $1}' /proc/[0-9]*/stat 2>/dev/null || true; fi
}
stop_pid() {  # signal, wait up to 5 s, then KILL it and whatever children it still has
  local pid=$1 sig=TERM i kids k
  has "${INT_PIDS:-}" "$pid" && sig=INT
  kids=$(children "$pid")
  kill -"$sig" "$pid" 2>/dev/null || return 0
  for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for k in $kids; do kill -KILL "$k" 2>/dev/null || true; done
}

# A temporary directory (TMP) and the EXIT trap that stops every pid in PIDS and removes
# TMP (KEEP_TMP=1 keeps it); SIGINT and SIGTERM exit through it.
setup_tmp() {  # name prefix
  TMP=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
  PIDS=()
  trap cleanup EXIT
  trap 'exit 130' INT TERM
}
cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && stop_pid "$pid"; done
  if [ "${KEEP_TMP:-0}" = 1 ]; then log "kept $TMP"; else rm -rf "$TMP"; fi
  exit $rc
}
# drop a pid from PIDS (the list the EXIT trap stops) once it is stopped or waited for
forget_pid() {
  local keep=() p
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && [ "$p" != "$1" ] && keep+=("$p"); done
  PIDS=("${keep[@]:-}")
}

port_in_use() {  # a listener, or any socket (even TIME_WAIT) bound to that local port
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
  command -v ss >/dev/null 2>&1 && ss -Htan "( sport = :$1 )" 2>/dev/null | grep -q . && return 0
  return 1
}
# a free loopback port below the kernel's ephemeral range (where the client sockets of a
# load test take theirs: a port picked there can be taken between the check and the bind)
free_port() {
  local p i lo
  lo=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  [ "${lo:-0}" -gt 12000 ] 2>/dev/null || lo=61000
  for i in $(seq 100); do
    if [ "$lo" -gt 12000 ]; then p=$(( 10000 + (RANDOM * 32768 + RANDOM) % (lo - 10000) ))
    else p=$(( 61000 + RANDOM % 4000 )); fi
    port_in_use "$p" || { echo "$p"; return 0; }
  done
  die "no free loopback port found"
}
# wait until URL answers 2xx, failing when the process dies or after ~timeout seconds
wait_http() {
  local name=$1 pid=$2 url=$3 logf=$4 timeout=${5:-20} i
  for ((i = 0; i < timeout * 10; i++)); do
    alive "$pid" || { tail_log "$logf"; die "$name exited while starting (see above)"; }
    curl -sf -o /dev/null --max-time 1 "$url" && return 0
    sleep 0.1
  done
  tail_log "$logf"; die "$name did not answer $url within ${timeout}s"
}

TCK=$(getconf CLK_TCK); NCPU=$(nproc)
read_cpu() { awk '/^cpu /{t=0; for(i=2;i<=NF;i++) t+=$i; print t, $5+$6}' /proc/stat; }   # total, idle+iowait
proc_ticks() {  # utime+stime of the given pids (all their threads)
  local t=0 p v
  for p in "$@"; do
    v=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12+$13}') || v=0
    t=$((t + ${v:-0}))
  done
  echo "$t"
}
# VmHWM or VmRSS (kB) of a pid, "" when it is gone
proc_mem_kb() { awk -v k="$2:" '$1==k{print $2}' "/proc/$1/status" 2>/dev/null || true; }

# Sum of the response cache lookups by result in tourneyd's /metrics, over every cache
# label: prints "hits misses stale" (0 0 0 when the server has no such metric).
cache_lookups() {
  curl -s --max-time 5 "$1/metrics" 2>/dev/null | awk '
    /^tourneyd_cache_requests_total\{/ {
      r = $1; sub(/.*result="/, "", r); sub(/".*/, "", r); n[r] += $2 }
    END { printf "%d %d %d\n", n["hit"], n["miss"], n["stale"] }'
}

# tourneyd migrate and seed of a scale into a new database, timed: sets SEEDED_S,
# SEEDED_MIGRATE_S and SEEDED_BYTES (not in a subshell, so that die stops the script)
seed_db() {  # bin db scale rng_seed logfile
  local bin=$1 db=$2 scale=$3 seed=$4 logf=$5 t0
  t0=$(now)
  "$bin" migrate up --db "$db" >"$logf" 2>&1 || { tail_log "$logf"; die "tourneyd migrate up failed"; }
  SEEDED_MIGRATE_S=$(since "$t0"); t0=$(now)
  "$bin" seed --scale "$scale" --rng-seed "$seed" --db "$db" >>"$logf" 2>&1 \
    || { tail_log "$logf"; die "tourneyd seed --scale $scale failed"; }
  SEEDED_S=$(since "$t0")
  SEEDED_BYTES=$(( $(stat -c %s "$db") + $(stat -c %s "$db-wal" 2>/dev/null || echo 0) ))
}
