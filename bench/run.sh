#!/usr/bin/env bash
# bench/run.sh: the tourneyd benchmark (`make bench`). See bench/README.md.
#
# Seeds scale 1 into a temporary directory, starts tourneyd, the bare libmicrohttpd
# responder (the ceiling) and, when DJANGO_ANCHOR is set, the Django reference on the
# same data volumes; runs wrk on every read endpoint with random keys and on the
# registration write path (distinct valid registrations, durable when answered),
# alternating the targets per endpoint; prints a table and writes bench/results/latest.json.
# Loopback only (127.0.0.1); every process it starts is stopped by PID on exit.
# shellcheck disable=SC2207  # word splitting of numbers and pids is intended
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
LUA=$BENCH/lua
cd "$ROOT"

ALL_ENDPOINTS="list list_game list_status list_game_status detail state states games me healthz
  registrations registrations_status me_registrations org_dashboard payments
  standings bracket matches leaderboard register register_c256"
ALL_ENDPOINTS=$(echo $ALL_ENDPOINTS)
DURATION=10s CONNS=64 REG_CONNS=256 REPEAT=1 QUICK=0 STRICT=0 WARMUP=1s
WRK_TIMEOUT=${WRK_TIMEOUT:-10s}   # wrk drops (and counts as a socket error) a request slower than this
ENDPOINTS=$ALL_ENDPOINTS
TARGETS_OPT=""
TOURNEYD_THREADS=${TOURNEYD_THREADS:-2}
MAX_OTHER=${MAX_OTHER:-10}   # % CPU other processes may use during a run before it is retried
SCALE=1 RNG_SEED=42

usage() {
  cat <<EOF
usage: bench/run.sh [--duration 10s] [--conns 64] [--register-conns 256] [--endpoints "LIST"]
                    [--repeat N] [--quick] [--targets "bare tourneyd django"] [--strict]

  --duration D   wrk duration of each measured run (default 10s)
  --conns N      wrk connections (default 64); wrk always runs 1 thread (-t1)
  --register-conns N  wrk connections of the register_c256 row (default 256)
  --endpoints L  space or comma separated subset of:
                 $ALL_ENDPOINTS
  --repeat N     measure every endpoint N times, the target order reversed on every
                 other pass (default 1); the table shows medians
  --quick        smoke run: 2s durations
  --targets L    subset of "bare tourneyd django" (django needs DJANGO_ANCHOR)
  --strict       exit 2 when a bar is missed (10x Django, 20x for register, p99 <= 10 ms on
                 reads, RSS < 100 MB, seed < 5 s)

environment:
  TOURNEYD_BIN      the server binary (default build/tourneyd)
  TOURNEYD_THREADS  its --threads (default 2)
  SHARED_DIR        where anchors/ lives (default ../shared)
  DJANGO_ANCHOR     path of the Django reference (e.g. ../shared/anchors/django); unset: no Django
  MAX_OTHER         % CPU of foreign processes tolerated during a run (default 10; else retried)
  KEEP_TMP=1        keep the temporary directory (databases, logs, raw wrk output)
exit: 0 ok, 1 a tourneyd figure is invalid (non-2xx or socket errors, an endpoint skipped for
      want of a token, registrations rows not matching the 201s), 2 a bar missed (--strict),
      3 setup failed
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION=$2; shift 2;;
    --conns) CONNS=$2; shift 2;;
    --register-conns) REG_CONNS=$2; shift 2;;
    --endpoints) ENDPOINTS=${2//,/ }; shift 2;;
    --repeat) REPEAT=$2; shift 2;;
    --quick) QUICK=1; DURATION=2s; shift;;
    --targets) TARGETS_OPT=${2//,/ }; shift 2;;
    --strict) STRICT=1; shift;;
    -h|--help) usage; exit 0;;
    *) echo "bench/run.sh: unknown argument '$1'" >&2; usage >&2; exit 3;;
  esac
done

T_START=$(date +%s)
log() { printf '[bench %4ss] %s\n' "$(( $(date +%s) - T_START ))" "$*" >&2; }
die() { printf '\nbench/run.sh: ERROR: %s\n' "$*" >&2; exit 3; }
has() { case " $1 " in *" $2 "*) return 0;; *) return 1;; esac; }

for ep in $ENDPOINTS; do has "$ALL_ENDPOINTS" "$ep" || die "unknown endpoint '$ep' (known: $ALL_ENDPOINTS)"; done
[[ "$CONNS" =~ ^[1-9][0-9]*$ ]] || die "--conns must be a number"
[[ "$REG_CONNS" =~ ^[1-9][0-9]*$ ]] || die "--register-conns must be a number"
[[ "$REPEAT" =~ ^[1-9][0-9]*$ ]] || die "--repeat must be >= 1"
to_seconds() { awk -v d="$1" 'BEGIN{ m=1; if (d ~ /ms$/) {sub(/ms$/,"",d); m=0.001} else if (d ~ /s$/) sub(/s$/,"",d);
  else if (d ~ /m$/) {sub(/m$/,"",d); m=60} else if (d ~ /h$/) {sub(/h$/,"",d); m=3600}; printf "%g", d*m }'; }
DUR_S=$(to_seconds "$DURATION")

# ---------- targets ----------
TARGETS=${TARGETS_OPT:-"bare tourneyd django"}
for t in $TARGETS; do case $t in bare|tourneyd|django) ;; *) die "unknown target '$t'";; esac; done
if has "$TARGETS" django && [ -z "${DJANGO_ANCHOR:-}" ]; then
  if [ -n "$TARGETS_OPT" ]; then die "target django needs DJANGO_ANCHOR=../shared/anchors/django"; fi
  TARGETS=${TARGETS/django/}
fi
TARGETS=$(echo $TARGETS)
[ -n "$TARGETS" ] || die "no target to measure"

# ---------- tools ----------
SHARED_DIR=${SHARED_DIR:-$ROOT/../shared}
BARE_SRC=$SHARED_DIR/anchors/bare/mhd_server.c
TOURNEYD_BIN=${TOURNEYD_BIN:-build/tourneyd}
case $TOURNEYD_BIN in /*) ;; *) TOURNEYD_BIN=$ROOT/$TOURNEYD_BIN;; esac
PY=/usr/bin/python3
missing=()
for c in wrk sqlite3 cc curl pkg-config awk; do command -v "$c" >/dev/null 2>&1 || missing+=("$c"); done
if command -v pkg-config >/dev/null 2>&1 && ! pkg-config --exists libmicrohttpd; then missing+=(libmicrohttpd-dev); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench/run.sh: missing: ${missing[*]}" >&2
  echo "  install with: apt-get install -y --no-install-recommends wrk sqlite3 gcc pkg-config libmicrohttpd-dev curl" >&2
  exit 3
fi
if has "$TARGETS" bare; then [ -f "$BARE_SRC" ] || die "bare anchor not found: $BARE_SRC (set SHARED_DIR)"; fi
if has "$TARGETS" tourneyd; then
  [ -x "$TOURNEYD_BIN" ] || die "tourneyd binary not found or not executable: $TOURNEYD_BIN (build it with make, or set TOURNEYD_BIN)"
fi
REG_EPS=""   # the register rows measured (their setup needs python3 and creates bench tournaments)
for ep in $ENDPOINTS; do case $ep in register|register_c256) REG_EPS="$REG_EPS $ep";; esac; done
REG_EPS=$(echo $REG_EPS)
if [ -n "$REG_EPS" ] && has "$TARGETS" tourneyd && [ ! -x "$PY" ]; then
  die "the register benchmark prepares its data with $PY (python3, standard library only)"
fi
GUNICORN=""
if has "$TARGETS" django; then
  case $DJANGO_ANCHOR in /*) ;; *) DJANGO_ANCHOR=$ROOT/$DJANGO_ANCHOR;; esac
  [ -f "$DJANGO_ANCHOR/manage.py" ] || die "DJANGO_ANCHOR=$DJANGO_ANCHOR has no manage.py"
  GUNICORN=$(command -v gunicorn || echo /usr/bin/gunicorn)
  if ! "$PY" -c 'import django, rest_framework' 2>/dev/null || [ ! -x "$GUNICORN" ]; then
    echo "bench/run.sh: the Django reference needs Debian's Django, DRF and gunicorn (for $PY)" >&2
    echo "  install with: apt-get install -y --no-install-recommends python3-django python3-djangorestframework gunicorn python3-gunicorn" >&2
    exit 3
  fi
fi

# Django script matching each tourneyd endpoint ("" = no Django counterpart)
dj_match() {
  case $1 in
    list) echo list_all;; list_game) echo list_game;; list_status) echo list_status;;
    list_game_status) echo list;; detail) echo detail;;
    state|states) echo state_nocache;;   # tourneyd's state is never stale: compare with uncached
    registrations|registrations_status) echo registrations;;
    standings|bracket|leaderboard) echo leaderboard;;   # the anchor's per-tournament leaderboard
    register|register_c256) echo register;;   # Django at --conns for both rows
    *) echo "";;
  esac
}
# wrk connections of an endpoint's runs (bare's and Django's included)
ep_conns() { case $1 in register_c256) echo "$REG_CONNS";; *) echo "$CONNS";; esac; }
# the name a row is printed under
ep_label() { case $1 in register_c256) echo "register_c$REG_CONNS";; *) echo "$1";; esac; }
ep_path() {
  case $1 in
    list) echo "/api/v1/tournaments";; list_game) echo "/api/v1/tournaments?game={game}";;
    list_status) echo "/api/v1/tournaments?status={status}";;
    list_game_status) echo "/api/v1/tournaments?game={game}&status={status}";;
    detail) echo "/api/v1/tournaments/{slug}";; state) echo "/api/v1/tournaments/{slug}/state";;
    states) echo "/api/v1/tournament-states?slugs={10 slugs}";; games) echo "/api/v1/games";;
    me) echo "/api/v1/me (Bearer token)";; healthz) echo "/healthz";;
    registrations) echo "/api/v1/tournaments/{slug}/registrations";;
    registrations_status) echo "/api/v1/tournaments/{slug}/registrations?status=confirmed";;
    me_registrations) echo "/api/v1/me/registrations (Bearer token of a player)";;
    org_dashboard) echo "/api/v1/organizer/dashboard (Bearer token of the top organizer)";;
    payments) echo "/api/v1/tournaments/{slug}/payments (Bearer token of its organizer)";;
    standings) echo "/api/v1/tournaments/{64-player slug}/standings";;
    bracket) echo "/api/v1/tournaments/{64-player slug}/bracket";;
    matches) echo "/api/v1/tournaments/{64-player slug}/matches?state=completed";;
    leaderboard) echo "/api/v1/games/{game}/leaderboard";;
    register|register_c256) echo "POST /api/v1/tournaments/{bench slug}/registrations {} (Bearer token; distinct pairs)";;
    bare) echo "/json";;
    dj:list) echo "/api/tournaments/?game={game}&status={status}";; dj:list_all) echo "/api/tournaments/";;
    dj:list_game) echo "/api/tournaments/?game={game}";; dj:list_status) echo "/api/tournaments/?status={status}";;
    dj:detail) echo "/api/tournaments/{slug}/";; dj:state_nocache) echo "/tournaments/api/{slug}/state-nocache/";;
    dj:state) echo "/tournaments/api/{slug}/state/";;
    dj:registrations) echo "/api/tournaments/registrations/?tournament={id}";;
    dj:leaderboard) echo "/api/leaderboards/{slug}/";;
    dj:register) echo "POST /api/tournaments/{slug}/register/ {user_id} (distinct unregistered pairs)";;
  esac
}

# ---------- time estimate and budget ----------
n_runs=0
for ep in $ENDPOINTS; do
  has "$TARGETS" bare && n_runs=$((n_runs + 1)); has "$TARGETS" tourneyd && n_runs=$((n_runs + 1))
done
if has "$TARGETS" django; then
  djs=""; for ep in $ENDPOINTS; do m=$(dj_match "$ep"); [ -n "$m" ] && ! has "$djs" "$m" && djs="$djs $m"; done
  has "$ENDPOINTS" state && djs="$djs state"
  n_runs=$((n_runs + $(wc -w <<<"$djs")))
fi
n_runs=$((n_runs * REPEAT))
# register runs add ~2 s each (row counts, metrics); Django's register ~4 s (2 bench_reset)
n_extra=$(( REPEAT * ( $(wc -w <<<"$REG_EPS") * 2 + ( $(has "$TARGETS" django && [ -n "$REG_EPS" ] && echo 1 || echo 0) * 4 ) ) ))
EST=$(awk -v n="$n_runs" -v d="$DUR_S" -v dj="$(has "$TARGETS" django && echo 1 || echo 0)" -v x="$n_extra" \
  'BEGIN{ printf "%d", n*(d+2.5) + 15 + 40*dj + x }')
SLACK=$(( EST / 3 > 20 ? EST / 3 : 20 ))   # time allowed for idle-waits and retries, in all
RUNS_LEFT=$n_runs
QUIET_MAX=$([ "$QUICK" = 1 ] && echo 3 || echo 20)
TRIES=$([ "$QUICK" = 1 ] && echo 1 || echo 3)
log "targets: $TARGETS; endpoints: $ENDPOINTS"
log "wrk -t1 -c$CONNS -d$DURATION x $n_runs runs (+1 s warm-up each): about $((EST / 60)) min $((EST % 60)) s (at most $(( (EST + SLACK) / 60 + 1 )) min on a busy machine)"

# ---------- temp dir, cleanup ----------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/tourneyd-bench.XXXXXX")
PIDS=()   # servers started here, stopped by PID on exit
children() {
  if command -v pgrep >/dev/null 2>&1; then pgrep -P "$1" || true
  else awk -v p="$1" '$4==p{print $1}' /proc/[0-9]*/stat 2>/dev/null || true; fi
}
stop_pid() {  # signal, wait up to 5 s, then KILL it and whatever children it still has
  local pid=$1 sig=TERM i kids k
  [ "$pid" = "${D_PID:-}" ] && sig=INT
  kids=$(children "$pid")
  kill -"$sig" "$pid" 2>/dev/null || return 0
  for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for k in $kids; do kill -KILL "$k" 2>/dev/null || true; done
}
cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && stop_pid "$pid"; done
  if [ "${KEEP_TMP:-0}" = 1 ]; then log "kept $TMP"; else rm -rf "$TMP"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
kv() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $1" | head -1; }   # value of key=value in a line
SKIPPED=""   # endpoints dropped for want of a token or of data (the run is then invalid)
skip_ep() {
  log "!!! $1 is SKIPPED: $2"
  ENDPOINTS=$(echo " $ENDPOINTS " | sed "s/ $1 / /"); ENDPOINTS=$(echo $ENDPOINTS)
  SKIPPED=$(echo $SKIPPED $1)
}
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{ printf "%.2f", b-a }'; }
alive() { kill -0 "$1" 2>/dev/null; }
tail_log() { [ -f "$1" ] && { echo "--- last lines of $1:"; tail -n 30 "$1"; } >&2 || true; }
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p i
  for i in $(seq 100); do
    p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    port_in_use "$p" || { echo "$p"; return 0; }
  done
  die "no free loopback port found"
}
# wait until URL answers 2xx, failing when the process dies or after ~timeout seconds
wait_http() {
  local name=$1 pid=$2 url=$3 logf=$4 timeout=${5:-20} i
  for i in $(seq $((timeout * 10))); do
    alive "$pid" || { tail_log "$logf"; die "$name exited while starting (see above)"; }
    curl -sf -o /dev/null --max-time 1 "$url" && return 0
    sleep 0.1
  done
  tail_log "$logf"; die "$name did not answer $url within ${timeout}s"
}

# ---------- CPU hygiene (as in the Django anchor's bench.sh) ----------
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
# no more idle-waits nor retries once the remaining runs would end beyond estimate + slack
over_budget() {
  awk -v e=$(( $(date +%s) - T_START )) -v n="$RUNS_LEFT" -v d="$DUR_S" -v lim=$(( EST + SLACK )) \
    'BEGIN{ exit !(e + n*(d+2.5) > lim) }'
}
wait_quiet() {  # until the machine is < 15% busy over 0.5 s (at most QUIET_MAX seconds)
  local i a b busy tot
  over_budget && return 0
  for i in $(seq $((QUIET_MAX * 2))); do
    a=($(read_cpu)); sleep 0.5; b=($(read_cpu))
    tot=$(( b[0] - a[0] )); [ "$tot" -gt 0 ] || tot=1
    busy=$(( (tot - (b[1] - a[1])) * 100 / tot ))
    [ "$busy" -lt 15 ] && return 0
    [ $((i % 10)) = 1 ] && log "  (machine ${busy}% busy before the run, waiting)"
  done
  log "  (machine still ${busy}% busy after ${QUIET_MAX}s; measuring anyway)"
}

# ---------- the bare anchor ----------
if has "$TARGETS" bare; then
  log "building the bare anchor ($BARE_SRC)"
  # shellcheck disable=SC2046
  cc -O2 -o "$TMP/bare" "$BARE_SRC" $(pkg-config --cflags --libs libmicrohttpd) 2>"$TMP/bare-build.log" \
    || { tail_log "$TMP/bare-build.log"; die "building the bare anchor failed"; }
fi

# ---------- tourneyd: migrate, seed (timed), data ----------
SEED_S=null MIGRATE_S=null DB_BYTES=null T_COUNTS="{}" T_PID="" T_DATA="$TMP/tourneyd_data.lua" N_TOKENS=0
T64_INFO="" T64_PLAYERS=64 LB_INFO=""   # standings/bracket/matches tournaments; the leaderboard wait
ORG_ID="" ORG_NAME="" ORG_N=0
REG_N_BT=0 REG_PAIRS=0 REG_NEXT=0 REG_FIRST_ID=0 REG_LAST_ID=0 REG_GAME=""   # register: pairs 0..REG_PAIRS-1; next unused
REG_RATE_MAX=${REG_RATE_MAX:-60000}   # registrations/s the bench tournaments are sized for
if has "$TARGETS" tourneyd; then
  DB=$TMP/tourneyd.db
  log "tourneyd: migrate + seed --scale $SCALE --rng-seed $RNG_SEED"
  t0=$(now)
  "$TOURNEYD_BIN" migrate up --db "$DB" >"$TMP/migrate.log" 2>&1 || { tail_log "$TMP/migrate.log"; die "tourneyd migrate up failed"; }
  MIGRATE_S=$(since "$t0")
  t0=$(now)
  "$TOURNEYD_BIN" seed --scale "$SCALE" --rng-seed "$RNG_SEED" --db "$DB" >"$TMP/seed.log" 2>&1 \
    || { tail_log "$TMP/seed.log"; die "tourneyd seed failed"; }
  SEED_S=$(since "$t0")
  DB_BYTES=$(( $(stat -c %s "$DB") + $(stat -c %s "$DB-wal" 2>/dev/null || echo 0) ))
  log "  seeded in ${SEED_S}s (migrate ${MIGRATE_S}s), database $((DB_BYTES / 1048576)) MiB"
  T_COUNTS="{"
  for tb in games users teams tournaments registrations payments matches; do
    n=$(sqlite3 "$DB" "SELECT count(*) FROM $tb" 2>/dev/null || echo null)
    T_COUNTS="$T_COUNTS\"$tb\":${n:-null},"
  done
  T_COUNTS="${T_COUNTS%,}}"
  sqlite3 "$DB" "SELECT slug FROM tournaments WHERE is_deleted=0 AND status<>'draft' ORDER BY id" >"$TMP/slugs.txt"
  sqlite3 "$DB" "SELECT slug FROM games ORDER BY id" >"$TMP/games.txt"
  sqlite3 "$DB" "SELECT DISTINCT status FROM tournaments WHERE is_deleted=0 AND status<>'draft' ORDER BY status" >"$TMP/statuses.txt"
  [ -s "$TMP/slugs.txt" ] || die "the seeded database has no visible tournament"
  [ -s "$TMP/games.txt" ] || die "the seeded database has no game"
  # registrations lists: visible tournaments that have registrations
  sqlite3 "$DB" "SELECT slug FROM tournaments t WHERE is_deleted=0 AND status<>'draft'
    AND EXISTS (SELECT 1 FROM registrations r WHERE r.tournament_id=t.id) ORDER BY id" >"$TMP/regl_slugs.txt"
  # /me: player00001..8; /me/registrations: the first 8 players (by id) with registrations
  for i in 1 2 3 4 5 6 7 8; do printf 'player%05d\n' "$i"; done >"$TMP/me_users.txt"
  sqlite3 "$DB" "SELECT username FROM users u WHERE role='player'
    AND EXISTS (SELECT 1 FROM registrations r WHERE r.user_id=u.id) ORDER BY id LIMIT 8" >"$TMP/mereg_users.txt"
  # organizer dashboard and payments: the user organizing the most tournaments, and its paid ones
  ORG=$(sqlite3 -separator ' ' "$DB" "SELECT t.organizer_id, u.username, count(*) FROM tournaments t
    JOIN users u ON u.id=t.organizer_id WHERE t.is_deleted=0 GROUP BY 1 ORDER BY 3 DESC, 1 LIMIT 1")
  ORG_ID=${ORG%% *}; ORG_NAME=$(awk '{print $2}' <<<"$ORG"); ORG_N=$(awk '{print $3}' <<<"$ORG")
  echo "$ORG_NAME" >"$TMP/org_users.txt"
  sqlite3 "$DB" "SELECT slug FROM tournaments WHERE organizer_id=${ORG_ID:-0} AND is_deleted=0 AND status<>'draft'
    AND entry_fee_cents>0 ORDER BY id" >"$TMP/pay_slugs.txt"
  # standings, bracket, matches: live or completed tournaments with exactly 64 seeded
  # participants (48..80 when fewer than 3 have exactly 64)
  t64_where() { echo "t.is_deleted=0 AND t.status IN ('live','completed') AND
    (SELECT count(*) FROM registrations r WHERE r.tournament_id=t.id AND r.seed IS NOT NULL) $1"; }
  T64_PLAYERS=64
  sqlite3 "$DB" "SELECT t.slug FROM tournaments t WHERE $(t64_where '= 64') ORDER BY t.id" >"$TMP/t64_slugs.txt"
  if [ "$(wc -l <"$TMP/t64_slugs.txt")" -lt 3 ]; then
    T64_PLAYERS=48..80
    log "  only $(wc -l <"$TMP/t64_slugs.txt") live or completed tournament(s) with exactly 64 seeded participants: using 48..80"
    sqlite3 "$DB" "SELECT t.slug FROM tournaments t WHERE $(t64_where 'BETWEEN 48 AND 80') ORDER BY t.id" >"$TMP/t64_slugs.txt"
  fi
  T64_WHERE=$(t64_where "$([ "$T64_PLAYERS" = 64 ] && echo '= 64' || echo 'BETWEEN 48 AND 80')")
  T64_BY=$(sqlite3 "$DB" "SELECT status || ':' || format || '=' || count(*) FROM tournaments t WHERE $T64_WHERE
    GROUP BY status, format ORDER BY status, format" 2>/dev/null | paste -sd, -) || T64_BY=""
  T64_MATCHES=$(sqlite3 "$DB" "SELECT printf('%.1f', avg(n)) FROM (SELECT (SELECT count(*) FROM matches m WHERE
    m.tournament_id=t.id AND m.state='completed') n FROM tournaments t WHERE $T64_WHERE)" 2>/dev/null) || T64_MATCHES=""
  T64_INFO="tournaments=$(wc -l <"$TMP/t64_slugs.txt") seeded_participants=$T64_PLAYERS by=${T64_BY:-?} completed_matches_mean=${T64_MATCHES:-?}"
  for e in standings bracket matches; do
    has "$ENDPOINTS" $e && [ ! -s "$TMP/t64_slugs.txt" ] && skip_ep $e "no live or completed tournament has 48..80 seeded participants"
  done
  has "$ENDPOINTS" registrations && [ ! -s "$TMP/regl_slugs.txt" ] && skip_ep registrations "no visible tournament has registrations"
  has "$ENDPOINTS" registrations_status && [ ! -s "$TMP/regl_slugs.txt" ] && skip_ep registrations_status "no visible tournament has registrations"
  has "$ENDPOINTS" payments && [ ! -s "$TMP/pay_slugs.txt" ] && skip_ep payments "the top organizer has no paid tournament"

  # register: bench tournaments and 1024 login tokens, written before the server opens the database
  : >"$TMP/reg.lua"
  if [ -n "$REG_EPS" ]; then
    # sized for REG_RATE_MAX registrations/s over every register run and warm-up, plus 10 %
    REG_N_BT=$(awk -v r="$REPEAT" -v n="$(wc -w <<<"$REG_EPS")" -v d="$DUR_S" -v w="$(to_seconds "$WARMUP")" -v rate="$REG_RATE_MAX" \
      'BEGIN{ x = r*n*(d+w)*rate/1024*1.1 + 10; printf "%d", (x == int(x) ? x : int(x)+1) }')
    excl=$(cat "$TMP/me_users.txt" "$TMP/mereg_users.txt" "$TMP/org_users.txt" | awk 'NF{printf "%s'\''%s'\''", (n++ ? "," : ""), $0}')
    excl=$(sqlite3 "$DB" "SELECT group_concat(id) FROM users WHERE username IN ($excl)")
    REG_SETUP=$("$PY" "$BENCH/register_setup.py" --db "$DB" --tournaments "$REG_N_BT" --users 1024 --organizer 1 \
                  --exclude "$excl" --lua "$TMP/reg.lua" 2>"$TMP/register-setup.log") \
      || { tail_log "$TMP/register-setup.log"; die "bench/register_setup.py failed"; }
    REG_FIRST_ID=$(kv "$REG_SETUP" first_id); REG_LAST_ID=$(kv "$REG_SETUP" last_id)
    REG_GAME=$(kv "$REG_SETUP" game); REG_PAIRS=$((REG_N_BT * 1024))
    log "  register: $REG_N_BT bench tournaments (ids $REG_FIRST_ID..$REG_LAST_ID, $REG_GAME, free, solo, 1024 places) and 1024 tokens: $REG_PAIRS distinct registrations available"
  fi

  T_PORT=$(free_port)
  T_URL=http://127.0.0.1:$T_PORT
  # shellcheck disable=SC2086
  "$TOURNEYD_BIN" serve --db "$DB" --listen "127.0.0.1:$T_PORT" --threads "$TOURNEYD_THREADS" --log-level warn \
    ${TOURNEYD_ARGS:-} >"$TMP/tourneyd.log" 2>&1 &
  T_PID=$!; PIDS+=("$T_PID")
  wait_http tourneyd "$T_PID" "$T_URL/healthz" "$TMP/tourneyd.log" 20
  log "tourneyd pid $T_PID on $T_URL (--threads $TOURNEYD_THREADS)"

  # bearer tokens by logging in (the login rate limit allows 20/min per address; each user
  # logs in once: /me and /me/registrations usually share player00001..8)
  login() {  # username -> token on stdout, "" when the login failed
    local f=$TMP/logins/$1 tok
    mkdir -p "$TMP/logins"
    if [ ! -f "$f" ]; then
      tok=$(curl -s --max-time 10 -H 'Content-Type: application/json' \
              -d "{\"username\":\"$1\",\"password\":\"demo-password\"}" "$T_URL/api/v1/auth/login" \
            | sed -n 's/.*"token"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p') || true
      printf '%s' "$tok" >"$f"
    fi
    cat "$f"
  }
  tokens_of() {  # users file, tokens file, endpoints needing them
    local users=$1 out=$2 u t e; shift 2
    : >"$out"
    for e in "$@"; do has "$ENDPOINTS" "$e" && break; e=""; done
    [ -n "$e" ] || return 0
    while read -r u; do [ -n "$u" ] || continue; t=$(login "$u"); [ -n "$t" ] && echo "$t" >>"$out"; done <"$users"
    if [ ! -s "$out" ]; then
      for e in "$@"; do has "$ENDPOINTS" "$e" && skip_ep "$e" "no login succeeded (POST /api/v1/auth/login as $(paste -sd, "$users") / demo-password)"; done
    fi
    return 0
  }
  tokens_of "$TMP/me_users.txt" "$TMP/tokens.txt" me
  tokens_of "$TMP/mereg_users.txt" "$TMP/mereg_tokens.txt" me_registrations
  tokens_of "$TMP/org_users.txt" "$TMP/org_tokens.txt" org_dashboard payments
  N_TOKENS=$(wc -l <"$TMP/tokens.txt")
  lua_list() { printf '%s = {' "$1"; awk 'NF{printf "%s\"%s\"", (n++ ? "," : ""), $0}' "$2"; printf '}\n'; }
  { echo "-- generated by bench/run.sh from the seeded tourneyd database"
    lua_list slugs "$TMP/slugs.txt"; lua_list games "$TMP/games.txt"
    lua_list statuses "$TMP/statuses.txt"; lua_list tokens "$TMP/tokens.txt"
    lua_list reg_list_slugs "$TMP/regl_slugs.txt"; lua_list me_reg_tokens "$TMP/mereg_tokens.txt"
    lua_list org_tokens "$TMP/org_tokens.txt"; lua_list pay_slugs "$TMP/pay_slugs.txt"
    lua_list t64_slugs "$TMP/t64_slugs.txt"
    cat "$TMP/reg.lua"; } >"$T_DATA"
  log "  data: $(wc -l <"$TMP/slugs.txt") slugs, $(wc -l <"$TMP/games.txt") games, $(wc -l <"$TMP/statuses.txt") statuses, $N_TOKENS /me tokens"
  has "$ENDPOINTS" standings || has "$ENDPOINTS" bracket || has "$ENDPOINTS" matches \
    && log "  data: $(wc -l <"$TMP/t64_slugs.txt") live or completed tournaments with $T64_PLAYERS seeded participants ($T64_BY; $T64_MATCHES completed matches each on average)"
  log "  data: $(wc -l <"$TMP/regl_slugs.txt") slugs with registrations, $(wc -l <"$TMP/mereg_tokens.txt") /me/registrations tokens, organizer $ORG_NAME (id $ORG_ID, $ORG_N tournaments, $(wc -l <"$TMP/pay_slugs.txt") paid ones: $(wc -l <"$TMP/org_tokens.txt") token)"

  # leaderboard: tourneyd computes the snapshot in a background thread at start (then every
  # --leaderboard-interval, 60 s by default); measure only once it exists (computed_at set)
  if has "$ENDPOINTS" leaderboard; then
    t0=$(now); LB_GAME=$(head -1 "$TMP/games.txt"); LB_CODE=""
    for i in $(seq 300); do
      alive "$T_PID" || { tail_log "$TMP/tourneyd.log"; die "tourneyd exited while computing the leaderboard"; }
      LB_CODE=$(curl -s --max-time 2 -o "$TMP/lb.json" -w '%{http_code}' "$T_URL/api/v1/games/$LB_GAME/leaderboard" || true)
      [ "$LB_CODE" = 200 ] && grep -q '"computed_at":"' "$TMP/lb.json" && break
      LB_CODE=""; sleep 0.1
    done
    if [ -n "$LB_CODE" ]; then
      LB_WAIT=$(since "$t0")
      LB_INFO="game=$LB_GAME waited_s=$LB_WAIT computed_at=$(sed -n 's/.*"computed_at":"\([^"]*\)".*/\1/p' "$TMP/lb.json")"
      log "  leaderboard snapshot ready after ${LB_WAIT}s ($LB_INFO)"
    else
      skip_ep leaderboard "GET /api/v1/games/$LB_GAME/leaderboard has no computed_at after 30 s: $(head -c 200 "$TMP/lb.json" 2>/dev/null)"
    fi
  fi
fi

# ---------- bare: start ----------
BARE_PID=""
if has "$TARGETS" bare; then
  BARE_PORT=$(free_port)
  BARE_URL=http://127.0.0.1:$BARE_PORT
  "$TMP/bare" "$BARE_PORT" >"$TMP/bare.log" 2>&1 &
  BARE_PID=$!; PIDS+=("$BARE_PID")
  wait_http bare "$BARE_PID" "$BARE_URL/json" "$TMP/bare.log" 10
  log "bare pid $BARE_PID on $BARE_URL"
fi

# ---------- Django reference: copy, migrate, seed, bench data, gunicorn ----------
D_PID="" D_SEED_S=null D_COUNTS="{}" D_DATA="" D_LB_INFO=""
if has "$TARGETS" django; then
  D=$TMP/django
  log "django: copying $DJANGO_ANCHOR, migrate + seed + bench_data (sqlite, locmem)"
  cp -r "$DJANGO_ANCHOR" "$D"
  rm -rf "$D/run" "$D/results" "$D"/db.sqlite3*
  mkdir -p "$D/run"
  export ANCHOR_DB=sqlite ANCHOR_CACHE=locmem
  unset ANCHOR_DEBUG ANCHOR_SQLITE_PATH || true
  (cd "$D" && "$PY" manage.py migrate -v0) >"$TMP/django-migrate.log" 2>&1 \
    || { tail_log "$TMP/django-migrate.log"; die "django migrate failed"; }
  t0=$(now)
  (cd "$D" && "$PY" manage.py seed) >"$TMP/django-seed.log" 2>&1 || { tail_log "$TMP/django-seed.log"; die "django seed failed"; }
  D_SEED_S=$(since "$t0")
  (cd "$D" && "$PY" manage.py bench_data) >"$TMP/django-bench-data.log" 2>&1 \
    || { tail_log "$TMP/django-bench-data.log"; die "django bench_data failed"; }
  D_DATA=$D/bench/data.lua
  D_COUNTS="{"
  for tb in games:tournaments_game users:auth_user teams:tournaments_team tournaments:tournaments_tournament \
            registrations:tournaments_registration payments:tournaments_payment matches:tournaments_match; do
    n=$(sqlite3 "$D/db.sqlite3" "SELECT count(*) FROM ${tb#*:}" 2>/dev/null || echo null)
    D_COUNTS="$D_COUNTS\"${tb%%:*}\":${n:-null},"
  done
  D_COUNTS="${D_COUNTS%,}}"
  log "  django seeded in ${D_SEED_S}s: $D_COUNTS"
  # what its leaderboard works on: every non-deleted tournament (as the anchor's leaderboard.lua picks them)
  D_LB_INFO=$(sqlite3 -separator ' ' "$D/db.sqlite3" "SELECT count(*), printf('%.1f', avg((SELECT count(*) FROM tournaments_match m
    WHERE m.tournament_id=t.id AND m.state='COMPLETED'))) FROM tournaments_tournament t WHERE t.is_deleted=0" 2>/dev/null) || D_LB_INFO=""
  [ -n "$D_LB_INFO" ] && D_LB_INFO="tournaments=${D_LB_INFO%% *} completed_matches_mean=${D_LB_INFO##* }"
  D_PORT=$(free_port)
  D_URL=http://127.0.0.1:$D_PORT
  "$GUNICORN" --chdir "$D" -b "127.0.0.1:$D_PORT" -w 2 -k sync --log-level warning \
    --error-logfile "$TMP/django-gunicorn.log" anchor.wsgi:application >>"$TMP/django-gunicorn.log" 2>&1 &
  D_PID=$!; PIDS+=("$D_PID")
  D_SLUG=$(grep -o '^slugs = {"[^"]*"' "$D_DATA" | sed 's/.*{"//;s/"$//')
  wait_http django "$D_PID" "$D_URL/api/tournaments/$D_SLUG/" "$TMP/django-gunicorn.log" 30
  log "django (gunicorn -w 2 -k sync) pid $D_PID on $D_URL"
fi

# ---------- one measured run ----------
mkdir -p "$TMP/raw"
RUNS=$TMP/runs.tsv
printf 'target\tendpoint\trep\ttries\trequests\trps\tp50_ms\tp90_ms\tp99_ms\tp999_ms\tmean_ms\tmax_ms\tnon2xx\tsock_err\tother_cpu_pct\tserver_cpu_pct\trss_kb\twarm_non2xx\tconns\textra\tdrain_s\n' >"$RUNS"
us2ms() { awk -v u="$1" 'BEGIN{ printf "%.3f", u/1000 }'; }
DONE_DJ=" "   # django scripts measured in the current pass
REG_BAD=0     # a register run whose registrations rows do not match wrk's 201s

# register helpers: rows in the bench tournaments, one /metrics value, the writer at rest
reg_rows() { sqlite3 "$DB" "SELECT count(*) FROM registrations WHERE tournament_id BETWEEN $REG_FIRST_ID AND $REG_LAST_ID"; }
metric() { curl -s --max-time 5 "$T_URL/metrics" | awk -v k="$1" '$1==k{print $2; exit}'; }
reg_settle() {  # waits (<= 5 s) for an empty writer queue and a still row count; prints "rows batch_jobs batches"
  local i n prev=-1 q
  for i in $(seq 50); do
    q=$(metric tourneyd_writer_queue_depth); n=$(reg_rows)
    [ "${q:-0}" = 0 ] && [ "$n" = "$prev" ] && break
    prev=$n; sleep 0.1
  done
  echo "$n $(metric tourneyd_writer_batch_size_sum) $(metric tourneyd_writer_batch_size_count)"
}
reg_pair() {  # i -> "slug token" of pair i (as register.lua computes it)
  awk -v i="$1" -F'"' '/^reg_slugs/{ns=0; for (k=2; k<=NF; k+=2) s[ns++]=$k} /^reg_tokens/{nt=0; for (k=2; k<=NF; k+=2) t[nt++]=$k}
    END{ printf "%s %s", s[int(i/nt)], t[i%nt] }' "$TMP/reg.lua"
}
# After a run: wait (<= 30 s) until the measured server has finished the requests wrk
# abandoned when it stopped (< 5 % of a core over 0.3 s), so that a slow endpoint's backlog
# does not load the next run. Prints the seconds waited.
wait_drained() {
  local i a b t0; t0=$(now)
  for i in $(seq 100); do
    a=$(proc_ticks "$@"); sleep 0.3; b=$(proc_ticks "$@")
    awk -v d=$((b - a)) -v tck="$TCK" 'BEGIN{ exit !(d <= tck * 0.3 * 0.05) }' && break
  done
  since "$t0"
}
dj_reset() {  # Django: delete the registrations its register runs created (manage.py bench_reset)
  (cd "$D" && "$PY" manage.py bench_reset) >>"$TMP/django-bench-reset.log" 2>&1 \
    || { tail_log "$TMP/django-bench-reset.log"; die "django manage.py bench_reset failed"; }
}

run_one() {  # target ep rep
  local target=$1 ep=$2 rep=$3 script url data pid name logf tries res line w_non2xx c0 c1 p0 p1 wt load scpu
  local pids=() conns reg=0 djreg=0 sent s0 s1 extra="" start drain
  case $target in
    bare) script=$LUA/bare.lua url=$BARE_URL data="" pid=$BARE_PID name=bare;;
    tourneyd) script=$LUA/$ep.lua url=$T_URL data=$T_DATA pid=$T_PID name=tourneyd;;
    django) script=$LUA/django_$ep.lua url=$D_URL data=$D_DATA pid=$D_PID name=django;;
  esac
  case $target:$ep in tourneyd:register|tourneyd:register_c256) reg=1;; django:register) djreg=1;; esac
  case $ep in register|register_c256) script=${script/register_c256/register};; esac
  conns=$(ep_conns "$ep"); [ "$target" = django ] && conns=$CONNS   # Django: always the common count
  logf=$TMP/$name.log; [ "$target" = django ] && logf=$TMP/django-gunicorn.log
  alive "$pid" || { tail_log "$logf"; die "$name (pid $pid) is not running any more"; }
  local tag="${target}_${ep}_r${rep}"
  [ "$djreg" = 1 ] && dj_reset
  # warm-up: 1 s at 4 connections; its result also tells early whether the endpoint answers 2xx
  rm -f "$TMP/warm.txt"
  BENCH_LUA_DIR=$LUA BENCH_DATA=$data BENCH_OUT=$TMP/warm.txt BENCH_REG_START=$REG_NEXT \
    wrk -t1 -c4 -d"$WARMUP" -s "$script" "$url" >"$TMP/raw/$tag.warmup.txt" 2>&1 \
    || { cat "$TMP/raw/$tag.warmup.txt" >&2; alive "$pid" || tail_log "$logf"; die "wrk warm-up failed against $name ($ep)"; }
  pids=("$pid"); [ "$target" = django ] && pids+=($(children "$pid"))
  wait_drained "${pids[@]}" >/dev/null
  w_non2xx=$(kv "$(cat "$TMP/warm.txt" 2>/dev/null)" non2xx); w_non2xx=${w_non2xx:-0}
  if [ "$reg" = 1 ]; then   # the next run starts after every pair the warm-up used
    sent=$(kv "$(cat "$TMP/warm.txt" 2>/dev/null)" sent)
    [ -n "$sent" ] || die "register warm-up: no sent= count from register.lua's done() hook"
    REG_NEXT=$((REG_NEXT + sent))
  fi
  if [ "$w_non2xx" != 0 ] && [ "$target" = tourneyd ]; then
    log "!!! tourneyd $ep: $w_non2xx non-2xx responses during the warm-up (the figure below is INVALID)"
  fi
  for tries in $(seq "$TRIES"); do
    [ "$djreg" = 1 ] && dj_reset   # each Django register run posts the same fresh pairs
    wait_quiet
    if [ "$reg" = 1 ]; then
      s0=($(reg_settle)); start=$REG_NEXT
      [ $((REG_PAIRS - REG_NEXT)) -lt "$(awk -v d="$DUR_S" -v r="$REG_RATE_MAX" 'BEGIN{printf "%d", d*r}')" ] \
        && log "  (register: only $((REG_PAIRS - REG_NEXT)) unused pairs left; a faster server would run out and get 409s)"
    fi
    pids=("$pid"); [ "$target" = django ] && pids+=($(children "$pid"))
    c0=($(read_cpu)); p0=$(proc_ticks "${pids[@]}")
    rm -f "$TMP/res.txt"
    local TIMEFORMAT='%3U %3S'
    { time BENCH_LUA_DIR=$LUA BENCH_DATA=$data BENCH_OUT=$TMP/res.txt BENCH_REG_START=$REG_NEXT \
        wrk -t1 -c"$conns" -d"$DURATION" --timeout "$WRK_TIMEOUT" --latency -s "$script" "$url" >"$TMP/raw/$tag.txt" 2>&1 ; } 2>"$TMP/wrk.time" \
      || { cat "$TMP/raw/$tag.txt" >&2; alive "$pid" || tail_log "$logf"; die "wrk failed against $name ($ep)"; }
    c1=($(read_cpu)); p1=$(proc_ticks "${pids[@]}")
    alive "$pid" || { tail_log "$logf"; die "$name died during the $ep run"; }
    drain=$(wait_drained "${pids[@]}")
    awk -v d="$drain" 'BEGIN{ exit !(d > 1) }' && log "  ($name $ep: busy ${drain}s after wrk stopped, finishing the requests wrk abandoned)"
    [ -s "$TMP/res.txt" ] || { cat "$TMP/raw/$tag.txt" >&2; die "no result from wrk's done() hook ($name $ep)"; }
    if [ "$reg" = 1 ]; then
      sent=$(kv "$(cat "$TMP/res.txt")" sent)
      [ -n "$sent" ] || die "register: no sent= count from register.lua's done() hook"
      REG_NEXT=$((REG_NEXT + sent))
      s1=($(reg_settle))
    fi
    wt=$(awk -v tck="$TCK" '{printf "%d", ($1+$2)*tck}' "$TMP/wrk.time")
    load=$(awk -v busy=$(( (c1[0]-c0[0]) - (c1[1]-c0[1]) )) -v ours=$((p1 - p0)) -v w="$wt" -v tot=$((c1[0]-c0[0])) \
      'BEGIN{ o=busy-ours-w; if (o<0) o=0; printf "%.0f", (tot>0 ? 100*o/tot : 0) }')
    [ "$load" -le "$MAX_OTHER" ] && break
    if [ "$tries" -lt "$TRIES" ] && ! over_budget && { [ "$reg" = 0 ] || [ $((REG_PAIRS - REG_NEXT)) -ge $((sent * 3 / 2)) ]; }; then
      log "  ($name $ep: other processes used ${load}% CPU during the run; retrying)"
    else
      log "  ($name $ep: other processes used ${load}% CPU during the run; kept, see other_cpu)"; break
    fi
  done
  RUNS_LEFT=$((RUNS_LEFT - 1))
  res=$(cat "$TMP/res.txt")
  scpu=$(awk -v t=$((p1 - p0)) -v tck="$TCK" -v d="$(kv "$res" duration_us)" 'BEGIN{ printf "%.0f", 100*t/tck/(d/1e6) }')
  local rss=""; [ "$target" = tourneyd ] && rss=$(awk '/^VmRSS:/{print $2}' "/proc/$pid/status")
  local sock=$(( $(kv "$res" err_connect) + $(kv "$res" err_read) + $(kv "$res" err_write) + $(kv "$res" err_timeout) ))
  if [ "$reg" = 1 ]; then
    # Durability/consistency: every 201 wrk read is a row, and every row was requested. Rows
    # beyond the 201s are the requests in flight when wrk stopped (at most one per connection,
    # plus any that timed out): committed, their responses never read.
    local rows=$((s1[0] - s0[0])) jobs=$((s1[1] - s0[1])) batches=$((s1[2] - s0[2]))
    local ok2xx=$(( $(kv "$res" requests) - $(kv "$res" non2xx) )) check=ok
    if [ "$rows" -lt "$ok2xx" ] || [ "$rows" -gt "$sent" ] || [ $((rows - ok2xx)) -gt $((conns + sock)) ]; then check=MISMATCH; REG_BAD=1; fi
    extra="first_pair=$start sent=$sent rows=$rows wrk_2xx=$ok2xx in_flight=$((rows - ok2xx)) batch_jobs=$jobs batches=$batches"
    extra="$extra batch_mean=$(awk -v j="$jobs" -v b="$batches" 'BEGIN{ printf "%.2f", (b > 0 ? j/b : 0) }') check=$check"
  fi
  line=$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s' \
    "$target" "$ep" "$rep" "$tries" "$(kv "$res" requests)" "$(kv "$res" rps)" \
    "$(us2ms "$(kv "$res" p50_us)")" "$(us2ms "$(kv "$res" p90_us)")" "$(us2ms "$(kv "$res" p99_us)")" \
    "$(us2ms "$(kv "$res" p999_us)")" "$(us2ms "$(kv "$res" mean_us)")" "$(us2ms "$(kv "$res" max_us)")" \
    "$(kv "$res" non2xx)" "$sock" "$load" "$scpu" "${rss:-}" "$w_non2xx" "$conns" "$extra" "$drain")
  echo "$line" >>"$RUNS"
  log "$(awk -F'\t' '{printf "  %-8s %-17s %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  non2xx %s  sock_err %s  other_cpu %s%%  server_cpu %s%%  c%s", $1, $2, $6, $7, $9, $13, $14, $15, $16, $19}' <<<"$line")"
  if [ "$reg" = 1 ]; then
    log "    registrations rows created $(kv "$extra" rows) = 201s read by wrk $(kv "$extra" wrk_2xx) + $(kv "$extra" in_flight) in flight at wrk's stop (requests sent $sent): $check; writer: $(kv "$extra" batch_jobs) jobs in $(kv "$extra" batches) commits, mean batch $(kv "$extra" batch_mean)"
    [ "$check" = ok ] || log "!!! tourneyd $ep: the registrations rows do not match the 201s (rows < 201s: an acknowledged write is missing)"
  fi
  if [ "$target" = tourneyd ] && { [ "$(kv "$res" non2xx)" != 0 ] || [ "$sock" != 0 ]; }; then
    log "!!! tourneyd $ep: $(kv "$res" non2xx) non-2xx responses, $sock socket errors: this figure is INVALID"
    local sample pair
    if [ "$reg" = 1 ]; then   # one registration of the next unused pair
      pair=($(reg_pair "$REG_NEXT")); REG_NEXT=$((REG_NEXT + 1))
      sample=$(curl -s --max-time 5 -o "$TMP/sample.txt" -w '%{http_code}' -H "Authorization: Bearer ${pair[1]}" \
        -H 'Content-Type: application/json' -d '{}' "$url/api/v1/tournaments/${pair[0]}/registrations" || true)
      log "!!!   one registration (POST /api/v1/tournaments/${pair[0]}/registrations) gave HTTP $sample: $(head -c 300 "$TMP/sample.txt" 2>/dev/null)"
    else
      sample=$(curl -s --max-time 2 -o "$TMP/sample.txt" -w '%{http_code}' "$url$(ep_path "$ep" | sed 's/ .*//')" || true)
      log "!!!   one plain request to $(ep_path "$ep") gave HTTP $sample: $(head -c 300 "$TMP/sample.txt" 2>/dev/null)"
    fi
  fi
}

# ---------- the measurements: per endpoint, targets alternated ----------
for rep in $(seq "$REPEAT"); do
  DONE_DJ=" "
  if [ $((rep % 2)) = 1 ]; then ORDER="bare tourneyd django"; else ORDER="django tourneyd bare"; fi
  log "pass $rep/$REPEAT (order: $ORDER)"
  for ep in $ENDPOINTS; do
    for target in $ORDER; do
      has "$TARGETS" "$target" || continue
      case $target in
        bare|tourneyd) run_one "$target" "$ep" "$rep";;
        django)
          m=$(dj_match "$ep")
          if [ -n "$m" ] && ! has "$DONE_DJ" "$m"; then run_one django "$m" "$rep"; DONE_DJ="$DONE_DJ$m "; fi
          # Django's cached state, as extra information (up to 30 s stale, unlike tourneyd's)
          if [ "$ep" = state ] && ! has "$DONE_DJ" state; then run_one django state "$rep"; DONE_DJ="${DONE_DJ}state "; fi;;
      esac
    done
  done
done

# ---------- peak RSS, stop servers ----------
T_HWM=null T_RSS_MAX=null
if [ -n "$T_PID" ]; then
  T_HWM=$(awk '/^VmHWM:/{print $2}' "/proc/$T_PID/status")
  T_RSS_MAX=$(awk -F'\t' '$1=="tourneyd" && $17!="" {if ($17>m) m=$17} END{print (m ? m : "null")}' "$RUNS")
fi
for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
PIDS=()

# ---------- register: the bench tournaments after the run (server stopped, WAL checkpointed) ----------
REG_FINAL=""
if [ "$REG_FIRST_ID" != 0 ]; then
  rng="tournament_id BETWEEN $REG_FIRST_ID AND $REG_LAST_ID"
  REG_FINAL=$(sqlite3 -separator ' ' "$DB" "SELECT count(*), coalesce(sum(status='confirmed'), 0),
      (SELECT coalesce(sum(n_pending + n_confirmed + n_checked_in), 0) FROM tournaments WHERE id BETWEEN $REG_FIRST_ID AND $REG_LAST_ID),
      (SELECT count(*) FROM (SELECT 1 FROM registrations WHERE $rng GROUP BY tournament_id, user_id HAVING count(*) > 1))
    FROM registrations WHERE $rng") || REG_FINAL="? ? ? ?"
  read -r rf_rows rf_conf rf_counters rf_dup <<<"$REG_FINAL"
  if [ "$rf_rows" = "$rf_conf" ] && [ "$rf_rows" = "$rf_counters" ] && [ "$rf_dup" = 0 ] && [ "$rf_rows" -le "$REG_NEXT" ] 2>/dev/null; then
    REG_FINAL="rows=$rf_rows confirmed=$rf_conf counters=$rf_counters duplicate_pairs=$rf_dup sent=$REG_NEXT check=ok"
  else
    REG_FINAL="rows=$rf_rows confirmed=$rf_conf counters=$rf_counters duplicate_pairs=$rf_dup sent=$REG_NEXT check=MISMATCH"
    REG_BAD=1
  fi
fi
REG_SETUP_INFO=""
[ "$REG_FIRST_ID" != 0 ] && REG_SETUP_INFO="tournaments=$REG_N_BT first_id=$REG_FIRST_ID last_id=$REG_LAST_ID game=$REG_GAME users=1024 pairs=$REG_PAIRS sized_for_rps=$REG_RATE_MAX"
ORG_INFO=""
[ -n "$ORG_NAME" ] && ORG_INFO="username=$ORG_NAME id=$ORG_ID tournaments=$ORG_N paid=$(wc -l <"$TMP/pay_slugs.txt")"

# ---------- report ----------
mkdir -p "$BENCH/results"
OUT=$BENCH/results/latest.json
STAMP=$(date -u +%Y%m%d-%H%M%S)
COMMIT=$(git -C "$ROOT" rev-parse -q --verify HEAD 2>/dev/null || echo none)
DIRTY=$([ -n "$(git -C "$ROOT" status --porcelain 2>/dev/null | head -1)" ] && echo true || echo false)
CPU_MODEL=$(awk -F': *' '/^model name/{print $2; exit}' /proc/cpuinfo)
MEM_KB=$(awk '/^MemTotal:/{print $2}' /proc/meminfo)
DJ_MAP=""; LABELS=""; for ep in $ALL_ENDPOINTS; do DJ_MAP="$DJ_MAP$ep=$(dj_match "$ep") "; LABELS="$LABELS$ep=$(ep_label "$ep") "; done
PATHS=""; for ep in $ALL_ENDPOINTS bare dj:list dj:list_all dj:list_game dj:list_status dj:detail dj:state_nocache dj:state \
                    dj:registrations dj:leaderboard dj:register; do
  PATHS="$PATHS$ep=$(ep_path "$ep")|"; done
# shellcheck disable=SC2016
set +e
awk -F'\t' -v endpoints="$ENDPOINTS" -v djmap="$DJ_MAP" -v labels="$LABELS" -v paths="$PATHS" -v out="$OUT" \
  -v date="$(date -u +%Y-%m-%dT%H:%M:%SZ)" -v commit="$COMMIT" -v dirty="$DIRTY" -v ncpu="$NCPU" \
  -v cpu_model="$CPU_MODEL" -v mem_kb="$MEM_KB" -v kernel="$(uname -r)" -v duration="$DURATION" -v conns="$CONNS" \
  -v reg_conns="$REG_CONNS" -v repeat="$REPEAT" -v quick="$QUICK" -v threads="$TOURNEYD_THREADS" -v targets="$TARGETS" \
  -v seed_s="$SEED_S" -v migrate_s="$MIGRATE_S" -v db_bytes="$DB_BYTES" -v t_counts="$T_COUNTS" \
  -v d_seed_s="$D_SEED_S" -v d_counts="$D_COUNTS" -v hwm="$T_HWM" -v rss_max="$T_RSS_MAX" \
  -v skipped="$SKIPPED" -v elapsed="$(( $(date +%s) - T_START ))" -v max_other="$MAX_OTHER" \
  -v scale="$SCALE" -v rng_seed="$RNG_SEED" -v strict="$STRICT" -v reg_bad="$REG_BAD" -v reg_final="$REG_FINAL" \
  -v reg_setup="$REG_SETUP_INFO" -v org_info="$ORG_INFO" -v t64_info="$T64_INFO" -v lb_info="$LB_INFO" -v d_lb_info="$D_LB_INFO" '
function jstr(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); gsub(/\t/, " ", s); return "\"" s "\"" }
function num(v) { return (v == "" || v == "null") ? "null" : v + 0 }
function median(key, col,   n, i, j, a, t) {
  n = cnt[key]; if (n == 0) return ""
  for (i = 1; i <= n; i++) a[i] = val[key, i, col] + 0
  for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
  return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function total(key, col,   i, s) { s = 0; for (i = 1; i <= cnt[key]; i++) s += val[key, i, col]; return s }
function maxv(key, col,   i, m) { m = ""; for (i = 1; i <= cnt[key]; i++) if (val[key, i, col] != "" && (m == "" || val[key, i, col] + 0 > m)) m = val[key, i, col] + 0; return m }
# value of key k in a "k=v k=v" string
function kv(s, k,   n, i, a, p) { n = split(s, a, " "); for (i = 1; i <= n; i++) { p = index(a[i], "="); if (substr(a[i], 1, p - 1) == k) return substr(a[i], p + 1) } return "" }
# the k=v string as a JSON object (numbers stay numbers)
function kvjson(s,   n, i, a, p, k, v, o) {
  n = split(s, a, " "); o = ""
  for (i = 1; i <= n; i++) { p = index(a[i], "="); if (!p) continue; k = substr(a[i], 1, p - 1); v = substr(a[i], p + 1)
    o = o (o == "" ? "" : ", ") jstr(k) ": " (v ~ /^-?[0-9]+(\.[0-9]+)?$/ ? v : jstr(v)) }
  return "{" o "}"
}
# sum of key k of the extra column over the runs of a target and endpoint
function xsum(key, k,   i, s) { s = 0; for (i = 1; i <= cnt[key]; i++) s += kv(val[key, i, 20], k); return s }
function xall_ok(key,   i) { for (i = 1; i <= cnt[key]; i++) if (kv(val[key, i, 20], "check") != "ok") return 0; return 1 }
function fmt_rps(v) { return v == "" ? "-" : sprintf("%.0f", v) }
function fmt_ms(v) { return v == "" ? "-" : sprintf("%.2f", v) }
function addbar(b, s) { return b (b == "" || b ~ / $/ ? "" : ", ") s }
function stats_json(key,   s) {
  if (cnt[key] == 0) return "null"
  s = sprintf("{\"rps\": %.1f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, \"p90_ms\": %.3f, \"p999_ms\": %.3f, \"mean_ms\": %.3f, \"max_ms\": %.3f, \"requests\": %d, \"non2xx\": %d, \"socket_errors\": %d, \"other_cpu_pct_max\": %s, \"server_cpu_pct\": %s, \"connections\": %d, \"runs\": %d",
    median(key, 6), median(key, 7), median(key, 9), median(key, 8), median(key, 10), median(key, 11), maxv(key, 12),
    total(key, 5), total(key, 13), total(key, 14), maxv(key, 15), median(key, 16), maxv(key, 19), cnt[key])
  if (maxv(key, 17) != "") s = s sprintf(", \"rss_kb_max\": %d", maxv(key, 17))
  if (total(key, 18) > 0) s = s sprintf(", \"warmup_non2xx\": %d", total(key, 18))
  return s "}"
}
NR == 1 { next }
{ key = $1 SUBSEP $2; n = ++cnt[key]; for (c = 1; c <= NF; c++) val[key, n, c] = $c
  rawrow[++nraw] = $0 }
END {
  nep = split(endpoints, eps, " ")
  split(djmap, dm, " "); for (i in dm) { split(dm[i], kvp, "="); djm[kvp[1]] = kvp[2] }
  split(labels, lm, " "); for (i in lm) { split(lm[i], kvp, "="); lab[kvp[1]] = kvp[2] }
  np = split(paths, pp, "|"); for (i = 1; i <= np; i++) if (pp[i] != "") { k = substr(pp[i], 1, index(pp[i], "=") - 1); path[k] = substr(pp[i], index(pp[i], "=") + 1) }
  has_dj = (targets ~ /django/); has_t = (targets ~ /tourneyd/); has_b = (targets ~ /bare/)
  invalid = 0; barfail = 0; nnotes = 0

  printf "\n== tourneyd benchmark: wrk -t1 -c%s -d%s --latency, 127.0.0.1, %s x %s, tourneyd --threads %s%s ==\n", conns, duration, ncpu, cpu_model, threads, (repeat > 1 ? ", median of " repeat " passes" : "")
  printf "%-20s %10s %8s %8s %7s | %10s %7s | %-14s %9s %8s %s\n", "endpoint", "req/s", "p50 ms", "p99 ms", "non2xx", "bare req/s", "/bare", "django match", "req/s", "x django", "bars"
  printf "%s\n", "-----------------------------------------------------------------------------------------------------------------------------"
  for (i = 1; i <= nep; i++) {
    ep = eps[i]; tk = "tourneyd" SUBSEP ep; bk = "bare" SUBSEP ep; dj = djm[ep]; dk = "django" SUBSEP dj
    isreg = (ep == "register" || ep == "register_c256")
    trps = median(tk, 6); tp50 = median(tk, 7); tp99 = median(tk, 9); tn = (cnt[tk] ? total(tk, 13) : ""); tsock = (cnt[tk] ? total(tk, 14) : 0)
    brps = median(bk, 6); drps = (dj != "" ? median(dk, 6) : "")
    rb = (trps != "" && brps != "" && brps > 0) ? trps / brps : ""
    rd = (trps != "" && drps != "" && drps > 0) ? trps / drps : ""
    # bars: reads p99 <= 10 ms and >= 10x Django; register >= 20x Django; register_c256 none
    pbar = !isreg; rmin = (ep == "register" ? 20 : (ep == "register_c256" ? 0 : 10))
    bars = ""
    bad = (cnt[tk] && (tn + 0 > 0 || tsock > 0 || total(tk, 18) > 0))
    if (bad) { invalid = 1; bars = "INVALID(" (tn + 0) " non2xx, " tsock " sock err) " }
    if (isreg && cnt[tk] && !xall_ok(tk)) { invalid = 1; bars = bars "ROWS<>201s " }
    if (pbar && tp99 != "") { if (tp99 <= 10) bars = addbar(bars, "p99 ok"); else { bars = addbar(bars, "p99>10ms"); barfail = 1 } }
    if (rd != "" && rmin) { if (rd >= rmin) bars = addbar(bars, rmin "x ok"); else { bars = addbar(bars, "<" rmin "x"); barfail = 1 } }
    if (rd != "" && !rmin) bars = addbar(bars, "(django at c" conns ")")
    busy = maxv(tk, 15); if (busy == "" || busy < maxv(bk, 15)) busy = maxv(bk, 15); if (dj != "" && (busy == "" || busy < maxv(dk, 15))) busy = maxv(dk, 15)
    if (busy != "" && busy > max_other) bars = bars " (busy: " busy "% other CPU)"
    printf "%-20s %10s %8s %8s %7s | %10s %7s | %-14s %9s %8s %s\n", lab[ep], fmt_rps(trps), fmt_ms(tp50), fmt_ms(tp99), (tn == "" ? "-" : tn) (tsock > 0 ? "+" tsock "e" : ""),
      fmt_rps(brps), (rb == "" ? "-" : sprintf("%.2f", rb)), (dj == "" ? "-" : dj), fmt_rps(drps), (rd == "" ? "-" : sprintf("%.1fx", rd)), bars
    regj = "null"
    if (isreg && cnt[tk]) {
      jobs = xsum(tk, "batch_jobs"); batches = xsum(tk, "batches"); bmean = (batches > 0 ? jobs / batches : 0)
      rows = xsum(tk, "rows"); ok2 = xsum(tk, "wrk_2xx"); infl = xsum(tk, "in_flight"); sent = xsum(tk, "sent")
      regj = sprintf("{\"connections\": %d, \"requests_sent\": %d, \"rows_created\": %d, \"responses_2xx\": %d, \"in_flight_at_stop\": %d, \"rows_match_201s\": %s, \"writer_batch_jobs\": %d, \"writer_batches\": %d, \"writer_batch_mean\": %.2f}",
        maxv(tk, 19), sent, rows, ok2, infl, (xall_ok(tk) ? "true" : "false"), jobs, batches, bmean)
      note[++nnotes] = sprintf("%s (c%d%s): group commit %.1f registrations per commit (tourneyd_writer_batch_size: %d jobs in %d commits); registrations rows created %d = %d 201s + %d in flight at wrk'\''s stop: %s",
        lab[ep], maxv(tk, 19), (cnt[tk] > 1 ? ", sums of " cnt[tk] " runs" : ""), bmean, jobs, batches, rows, ok2, infl, (xall_ok(tk) ? "ok" : "MISMATCH"))
    }
    R[i] = sprintf("    {\"endpoint\": %s, \"label\": %s, \"path\": %s, \"tourneyd\": %s, \"bare\": %s, \"ratio_to_bare\": %s, \"django_match\": %s, \"django_path\": %s, \"django\": %s, \"ratio_to_django\": %s, \"bar_10x_django\": %s, \"bar_ratio_min\": %s, \"bar_ratio_ok\": %s, \"bar_p99_10ms\": %s, \"valid\": %s, \"register\": %s}",
      jstr(ep), jstr(lab[ep]), jstr(path[ep]), stats_json(tk), stats_json(bk), (rb == "" ? "null" : sprintf("%.4f", rb)),
      (dj == "" ? "null" : jstr(dj)), (dj == "" ? "null" : jstr(path["dj:" dj])), (dj == "" ? "null" : stats_json(dk)),
      (rd == "" ? "null" : sprintf("%.3f", rd)), (rd == "" || rmin != 10 ? "null" : (rd >= 10 ? "true" : "false")),
      (rmin && dj != "" ? rmin : "null"), (rd == "" || !rmin ? "null" : (rd >= rmin ? "true" : "false")),
      ((tp99 == "" || !pbar) ? "null" : (tp99 <= 10 ? "true" : "false")), ((bad || (isreg && cnt[tk] && !xall_ok(tk))) ? "false" : "true"), regj)
  }
  printf "%s\n", "-----------------------------------------------------------------------------------------------------------------------------"
  printf "bars: reads p99 <= 10 ms at c%s and >= 10x Django; register >= 20x Django; register_c%s: Django'\''s figure is its c%s run, no bar\n", conns, reg_conns, conns
  for (i = 1; i <= nnotes; i++) printf "%s\n", note[i]
  if (reg_final != "") {
    printf "register data after the run: %d registrations in the bench tournaments (warm-ups included), %d confirmed, tournament counters %d, %d pair(s) registered twice, %d requests generated: %s\n",
      kv(reg_final, "rows"), kv(reg_final, "confirmed"), kv(reg_final, "counters"), kv(reg_final, "duplicate_pairs"), kv(reg_final, "sent"), kv(reg_final, "check")
  }
  if (reg_bad == 1) { printf "!!! register: the registrations rows do not match what the server acknowledged (see above)\n"; invalid = 1 }
  if (org_info != "" && (" " endpoints " " ~ / (org_dashboard|payments) /)) printf "org_dashboard, payments: as %s (organizes %d tournaments, %d paid and visible)\n", kv(org_info, "username"), kv(org_info, "tournaments"), kv(org_info, "paid")
  if (t64_info != "" && (" " endpoints " " ~ / (standings|bracket|matches) /))
    printf "standings, bracket, matches: %d live or completed tournaments with %s seeded participants%s (%s; %s completed matches each on average)\n",
      kv(t64_info, "tournaments"), kv(t64_info, "seeded_participants"), (kv(t64_info, "seeded_participants") == "64" ? "" : " (fewer than 3 had exactly 64)"),
      kv(t64_info, "by"), kv(t64_info, "completed_matches_mean")
  if (lb_info != "" && (" " endpoints " " ~ / leaderboard /))
    printf "leaderboard: the first snapshot (%s) was ready %s s after the start; it is recomputed every --leaderboard-interval (60 s by default) during the run\n", kv(lb_info, "computed_at"), kv(lb_info, "waited_s")
  if (d_lb_info != "" && has_dj && (" " endpoints " " ~ / (standings|bracket|leaderboard) /))
    printf "django leaderboard: a random one of its %d non-deleted tournaments (%s completed matches each on average), as the anchor'\''s own leaderboard.lua\n", kv(d_lb_info, "tournaments"), kv(d_lb_info, "completed_matches_mean")
  sk = "django" SUBSEP "state"
  if (cnt[sk]) printf "django cached state (cache_page 30 s, may be 30 s stale; not the comparison): %.0f req/s, p50 %.2f ms, p99 %.2f ms\n", median(sk, 6), median(sk, 7), median(sk, 9)
  if (skipped != "") { printf "!!! SKIPPED (no token or no data, see the log): %s\n", skipped; invalid = 1 }
  rss_mb = (hwm != "null" && hwm != "") ? hwm / 1024 : ""
  if (has_t) {
    printf "tourneyd peak RSS (VmHWM over the whole run): %.1f MB  [bar < 100 MB: %s]\n", rss_mb, (rss_mb < 100 ? "ok" : "FAIL")
    if (rss_mb >= 100) barfail = 1
    printf "seed scale %s: %.2f s (migrate %.2f s), database %.1f MiB  [bar < 5 s: %s]\n", scale, seed_s, migrate_s, db_bytes / 1048576, (seed_s < 5 ? "ok" : "FAIL")
    if (seed_s >= 5) barfail = 1
    printf "tourneyd rows (as seeded): %s\n", t_counts
    if (reg_setup != "") printf "register setup: %d bench tournaments (ids %d..%d, %s, free, solo, 1024 places) x 1024 users with direct tokens: %d pairs\n",
      kv(reg_setup, "tournaments"), kv(reg_setup, "first_id"), kv(reg_setup, "last_id"), kv(reg_setup, "game"), kv(reg_setup, "pairs")
  }
  if (has_dj) printf "django seed: %.2f s; rows: %s\n", d_seed_s, d_counts
  else printf "django: not measured (set DJANGO_ANCHOR=../shared/anchors/django)\n"
  noisy = 0; for (i = 1; i <= nraw; i++) { split(rawrow[i], f, "\t"); if (f[15] + 0 > max_other) noisy++ }
  if (noisy) printf "note: %d run(s) kept with other processes above %s%% CPU (see other_cpu_pct in the JSON)\n", noisy, max_other
  if (invalid) printf "\n!!!!! INVALID: some tourneyd figures include non-2xx responses or socket errors, an endpoint was skipped, or registrations rows do not match (see above) !!!!!\n"

  nsk = split(skipped, sks, " "); skj = ""; for (i = 1; i <= nsk; i++) skj = skj (i > 1 ? ", " : "") jstr(sks[i])
  printf "{\n" > out
  printf "  \"date\": %s,\n  \"git_commit\": %s,\n  \"git_dirty\": %s,\n", jstr(date), jstr(commit), dirty > out
  printf "  \"machine\": {\"nproc\": %d, \"cpu_model\": %s, \"mem_kb\": %d, \"kernel\": %s},\n", ncpu, jstr(cpu_model), mem_kb, jstr(kernel) > out
  printf "  \"config\": {\"tool\": \"wrk\", \"wrk_threads\": 1, \"connections\": %d, \"register_connections\": %d, \"duration\": %s, \"warmup\": \"1s at 4 connections\", \"repeat\": %d, \"quick\": %s, \"tourneyd_threads\": %d, \"targets\": %s, \"listen\": \"127.0.0.1\", \"max_other_cpu_pct\": %d, \"elapsed_seconds\": %d},\n", conns, reg_conns, jstr(duration), repeat, (quick ? "true" : "false"), threads, jstr(targets), max_other, elapsed > out
  printf "  \"seed\": {\"scale\": %s, \"rng_seed\": %s, \"seconds\": %s, \"migrate_seconds\": %s, \"db_bytes\": %s, \"rows\": %s, \"bar_under_5s\": %s},\n", scale, rng_seed, num(seed_s), num(migrate_s), num(db_bytes), t_counts, (seed_s == "null" ? "null" : (seed_s < 5 ? "true" : "false")) > out
  printf "  \"tourneyd_peak_rss_kb\": %s,\n  \"tourneyd_rss_kb_max_sampled\": %s,\n  \"bar_rss_under_100mb\": %s,\n", num(hwm), num(rss_max), (rss_mb == "" ? "null" : (rss_mb < 100 ? "true" : "false")) > out
  printf "  \"django\": %s,\n", (has_dj ? sprintf("{\"setup\": \"sqlite (WAL), locmem cache, gunicorn -w 2 -k sync, DEBUG off\", \"seed_seconds\": %s, \"rows\": %s, \"state_cached\": %s}", num(d_seed_s), d_counts, stats_json(sk)) : "null") > out
  printf "  \"organizer\": %s,\n", (org_info == "" ? "null" : kvjson(org_info)) > out
  printf "  \"t64_tournaments\": %s,\n  \"leaderboard_ready\": %s,\n  \"django_leaderboard_data\": %s,\n", (t64_info == "" ? "null" : kvjson(t64_info)), (lb_info == "" ? "null" : kvjson(lb_info)), (d_lb_info == "" ? "null" : kvjson(d_lb_info)) > out
  printf "  \"register_setup\": %s,\n  \"register_final\": %s,\n", (reg_setup == "" ? "null" : kvjson(reg_setup)), (reg_final == "" ? "null" : kvjson(reg_final)) > out
  printf "  \"me_skipped\": %s,\n  \"skipped\": [%s],\n  \"valid\": %s,\n  \"bars_met\": %s,\n", (" " skipped " " ~ / me / ? "true" : "false"), skj, (invalid ? "false" : "true"), (barfail ? "false" : "true") > out
  printf "  \"endpoints\": [\n" > out
  for (i = 1; i <= nep; i++) printf "%s%s\n", R[i], (i < nep ? "," : "") > out
  printf "  ],\n  \"runs\": [\n" > out
  for (i = 1; i <= nraw; i++) {
    split(rawrow[i], f, "\t")
    printf "    {\"target\": %s, \"endpoint\": %s, \"pass\": %d, \"tries\": %d, \"connections\": %d, \"requests\": %d, \"rps\": %s, \"p50_ms\": %s, \"p90_ms\": %s, \"p99_ms\": %s, \"p999_ms\": %s, \"mean_ms\": %s, \"max_ms\": %s, \"non2xx\": %d, \"socket_errors\": %d, \"other_cpu_pct\": %d, \"server_cpu_pct\": %d, \"rss_kb\": %s, \"warmup_non2xx\": %d, \"drain_seconds\": %s%s}%s\n",
      jstr(f[1]), jstr(f[2]), f[3], f[4], f[19], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12], f[13], f[14], f[15], f[16], num(f[17]), f[18], num(f[21]),
      (f[20] == "" ? "" : ", \"register\": " kvjson(f[20])), (i < nraw ? "," : "") > out
  }
  printf "  ]\n}\n" > out
  close(out)
  exit (invalid ? 1 : (strict && barfail ? 2 : 0))
}' "$RUNS"
RC=$?
set -e
cp "$OUT" "$BENCH/results/run-$STAMP.json"
rm -rf "$BENCH/results/latest-raw"; cp -r "$TMP/raw" "$BENCH/results/latest-raw"
echo "written: bench/results/latest.json (also run-$STAMP.json; raw wrk output in bench/results/latest-raw/)"
log "done in $(( $(date +%s) - T_START )) s"
exit $RC
