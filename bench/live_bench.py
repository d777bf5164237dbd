#!/usr/bin/python3
"""bench/live_bench.py: the live-updates benchmark (`make bench-live`; bench/README.md).

1,000 WebSocket subscribers follow one live tournament while its results are posted; the
figure is the time from a result's acknowledgement (its 200 read by the poster) to each
of its messages' arrival at each subscriber, and the bar is p99 <= 10 ms with no message
lost, duplicated or out of order.

Steps: seeds a database (scale 1, rng seed 42) in a temporary directory; adds a bench
tournament straight into it while no server has it open (like bench/register_setup.py):
`bench-live`, single elimination, --players confirmed players, registration closed, and a
login token for its organizer; starts `tourneyd serve`; moves the tournament to live (the
bracket is generated); builds bench/live_client.c with cc and runs it: it opens the
subscribers, waits for each one's first state, posts one result per match in bracket
order (score 1-0) at --rate per second on one keep-alive connection, then checks and
times every message (see the comment at the top of live_client.c). The server's own
counters (/metrics) are read before and after. Standard library only; /usr/bin/python3.

Exit status: 0 the bar is met; 1 the run is invalid (a message lost, duplicated or out of
order, a post not answered 200, the server's count of messages sent not matching the
messages received); 2 the latency bar is missed; 3 setup failed.
"""
import argparse
import hashlib
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOKEN = "benchlivetoken" + "0" * 29  # 43 characters, like a real token
SLUG = "bench-live"
BAR_P99_MS = 10.0
MAX_OTHER = float(os.environ.get("MAX_OTHER", "10"))  # % of a core others may use


def log(msg):
    print(f"[live-bench {time.monotonic() - T0:6.1f}s] {msg}", file=sys.stderr, flush=True)


def fail(msg, code=3):
    print(f"live_bench: ERROR: {msg}", file=sys.stderr)
    sys.exit(code)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(port, method, path, body=None, token=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=60) as r:
        data = r.read()
        return r.status, (json.loads(data) if data and r.headers.get_content_type() ==
                          "application/json" else data.decode())


def metrics(port):
    _, text = http(port, "GET", "/metrics")
    out = {}
    for line in text.splitlines():
        m = re.match(r"^(tourneyd_ws_\S+|tourneyd_writer_commit_duration_seconds_\S+)"
                     r" (\S+)$", line)
        if m:
            out[m.group(1)] = float(m.group(2))
    return out


def hist_quantile(before, after, name, q):
    """Upper bound of the bucket holding quantile q of a histogram's increase."""
    buckets = []
    for k, v in after.items():
        m = re.match(rf'^{name}_bucket{{le="([^"]+)"}}$', k)
        if m:
            le = float("inf") if m.group(1) == "+Inf" else float(m.group(1))
            buckets.append((le, v - before.get(k, 0)))
    buckets.sort()
    total = buckets[-1][1] if buckets else 0
    for le, cum in buckets:
        if total and cum >= q * total:
            return le
    return None


def cpu_seconds(pid):
    """utime + stime of a process (all its threads), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds():
    """CPU seconds every process used so far (all cores, /proc/stat)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]  # idle + iowait
    return (sum(v[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def setup_db(db, players):
    import sqlite3
    now = int(time.time())
    con = sqlite3.connect(db, isolation_level=None)
    cur = con.cursor()
    g = cur.execute("SELECT id FROM games ORDER BY team_size <> 1, id LIMIT 1").fetchone()
    if not g:
        fail("the seeded database has no game")
    users = [r[0] for r in cur.execute("SELECT id FROM users ORDER BY id LIMIT ?",
                                       (players + 1,))]
    if len(users) < players + 1:
        fail(f"the database has {len(users)} users, {players + 1} needed")
    org, entrants = users[0], users[1:]
    cur.execute("BEGIN IMMEDIATE")
    cur.execute(
        "INSERT INTO tournaments (slug, name, description, game_id, organizer_id, status, format,"
        " format_options, participant_type, max_participants, entry_fee_cents, currency,"
        " check_in_required, registration_opens_at, registration_closes_at, start_at,"
        " current_round, n_pending, n_confirmed, n_checked_in, n_cancelled, is_deleted, version,"
        " created_at, updated_at)"
        " VALUES (?, 'Bench live', '', ?, ?, 'registration_closed', 'single_elimination',"
        " '{\"third_place_match\":false}', 'solo', ?, 0, 'USD', 0, NULL, NULL, ?,"
        " 0, 0, ?, 0, 0, 0, 1, ?, ?)",
        (SLUG, g[0], org, players, now + 86400, players, now, now))
    tid = cur.lastrowid
    cur.executemany("INSERT INTO registrations (tournament_id, user_id, team_id, status, seed,"
                    " created_at) VALUES (?, ?, NULL, 'confirmed', NULL, ?)",
                    [(tid, u, now) for u in entrants])
    cur.execute("INSERT INTO tokens (token_hash, user_id, created_at, expires_at)"
                " VALUES (?, ?, ?, ?)", (hashlib.sha256(TOKEN.encode()).digest(), org, now,
                                          now + 86400))
    cur.execute("UPDATE meta SET value = value + 1 WHERE key = 'catalog_version'")
    cur.execute("COMMIT")
    con.close()


def floor(cc, tmp, a, res):
    """The same deliveries without tourneyd: bench/live_floor.c, after the measured run (the
    server stopped), with as many sending threads as tourneyd had live threads."""
    exe = os.path.join(tmp, "live_floor")
    subprocess.run([cc, "-std=c17", "-O2", "-pthread", "-o", exe,
                    os.path.join(ROOT, "bench", "live_floor.c")], check=True)
    send_threads = a.ws_threads or os.cpu_count() or 2
    nbytes = int(res.get("frame_bytes_per_result") or 0)
    if nbytes <= 0:
        return None
    log(f"floor: {a.subs} loopback sockets, {nbytes} bytes each per round, "
        f"{res['results']} rounds at {a.rate:g}/s")
    out = subprocess.run([exe, "--subs", str(a.subs), "--bytes", str(nbytes),
                          "--rounds", str(res["results"]), "--rate", str(a.rate),
                          "--send-threads", str(send_threads), "--rx-threads", str(a.rx_threads)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--subs", type=int, default=1000, help="subscribers (default 1000)")
    ap.add_argument("--players", type=int, default=256,
                    help="players of the bench tournament; results = players - 1 (default 256)")
    ap.add_argument("--rate", type=float, default=20, help="results posted per second (default 20)")
    ap.add_argument("--scale", default="1", help="seed scale of the database (default 1)")
    ap.add_argument("--threads", type=int, default=int(os.environ.get("TOURNEYD_THREADS", "2")),
                    help="tourneyd serve --threads (default 2)")
    ap.add_argument("--ws-threads", type=int, default=0,
                    help="tourneyd serve --ws-threads (default: its own default)")
    ap.add_argument("--rx-threads", type=int, default=2,
                    help="the measuring client's receiving threads, one per core (default 2)")
    ap.add_argument("--no-floor", action="store_true",
                    help="skip the floor measurement (bench/live_floor.c) after the run")
    ap.add_argument("--client-cpu", default="",
                    help="run the measuring client on these CPUs only (taskset -c LIST)")
    ap.add_argument("--keep-tmp", action="store_true", help="keep the temporary directory")
    a = ap.parse_args()
    if a.subs < 1 or a.players < 2 or a.players > 1024:
        fail("--subs >= 1 and 2 <= --players <= 1024")
    binary = os.environ.get("TOURNEYD_BIN", os.path.join(ROOT, "build", "tourneyd"))
    if not os.path.isabs(binary):
        binary = os.path.join(ROOT, binary)
    if not os.access(binary, os.X_OK):
        fail(f"tourneyd binary not found: {binary} (build it with make)")
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        fail("a C compiler (cc) is needed to build bench/live_client.c")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < a.subs + 200:
        fail(f"open files limit {hard} is too low for {a.subs} subscribers")

    tmp = tempfile.mkdtemp(prefix="tourneyd-live-bench-")
    server = None
    try:
        client = os.path.join(tmp, "live_client")
        subprocess.run([cc, "-std=c17", "-O2", "-pthread", "-I", os.path.join(ROOT, "src"),
                        "-o", client, os.path.join(ROOT, "bench", "live_client.c"),
                        os.path.join(ROOT, "src", "util", "hash.c")], check=True)
        db = os.path.join(tmp, "bench.db")
        subprocess.run([binary, "migrate", "up", "--db", db], check=True,
                       stdout=subprocess.DEVNULL)
        log(f"seeding scale {a.scale}")
        t = time.monotonic()
        subprocess.run([binary, "seed", "--scale", a.scale, "--rng-seed", "42", "--db", db],
                       check=True, stderr=subprocess.DEVNULL)
        log(f"seeded in {time.monotonic() - t:.1f} s; adding the bench tournament")
        setup_db(db, a.players)

        port = free_port()
        errf = open(os.path.join(tmp, "serve.stderr"), "wb")
        pin_client = ["taskset", "-c", a.client_cpu] if a.client_cpu else []
        server = subprocess.Popen(
            [binary, "serve", "--db", db, "--listen", f"127.0.0.1:{port}", "--threads",
             str(a.threads), "--log-level", "warn", "--ws-max", str(a.subs + 100),
             "--max-connections", str(a.subs + 1000)] +
            (["--ws-threads", str(a.ws_threads)] if a.ws_threads else []),
            stdout=subprocess.DEVNULL, stderr=errf, env={k: v for k, v in os.environ.items()
                                                          if not k.startswith("TOURNEYD_")})
        deadline = time.monotonic() + 20
        while True:
            try:
                if http(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                fail("tourneyd did not start")
            time.sleep(0.05)
        status, detail = http(port, "POST", f"/api/v1/tournaments/{SLUG}/status",
                              {"status": "live"}, TOKEN)
        if status != 200 or detail.get("status") != "live":
            fail(f"the bench tournament did not go live: {status} {detail}")
        _, bracket = http(port, "GET", f"/api/v1/tournaments/{SLUG}/bracket")
        matches = [m for br in bracket["brackets"] for rd in br["rounds"] for m in rd["matches"]
                   if m["state"] != "completed"]
        matches.sort(key=lambda m: (m["round"], m["position"]))
        mfile = os.path.join(tmp, "matches.txt")
        with open(mfile, "w") as f:
            f.write("".join(f"{m['id']}\n" for m in matches))
        before = metrics(port)
        out = os.path.join(tmp, "client.json")
        log(f"{a.subs} subscribers, {len(matches)} results at {a.rate:g}/s")
        cpu0, ru0 = cpu_seconds(server.pid), resource.getrusage(resource.RUSAGE_CHILDREN)
        busy0, wall0 = machine_busy_seconds(), time.monotonic()
        subprocess.run(pin_client + [client, "--port", str(port), "--path", f"/api/v1/tournaments/{SLUG}/live",
                        "--subs", str(a.subs), "--token", TOKEN, "--matches", mfile,
                        "--rate", str(a.rate), "--rx-threads", str(a.rx_threads), "--out", out],
                       check=True)
        cpu1, ru1 = cpu_seconds(server.pid), resource.getrusage(resource.RUSAGE_CHILDREN)
        busy1, wall1 = machine_busy_seconds(), time.monotonic()
        after = metrics(port)
        with open(out) as f:
            res = json.load(f)
        if server.poll() is not None:
            fail("tourneyd died during the run")
        with open(f"/proc/{server.pid}/status") as f:
            hwm = re.search(r"^VmHWM:\s+(\d+) kB", f.read(), re.M)
        rss_peak_mb = round(int(hwm.group(1)) / 1024, 1) if hwm else None
        server.send_signal(signal.SIGTERM)
        try:
            rc = server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            rc = "timeout"
        server = None

        sent = after.get("tourneyd_ws_messages_sent_total", 0) - \
            before.get("tourneyd_ws_messages_sent_total", 0)
        received = res["messages_received"]  # both count each subscriber's first state
        dropped = sum(v - before.get(k, 0) for k, v in after.items()
                      if k.startswith("tourneyd_ws_clients_dropped_total"))
        fan_n = after.get("tourneyd_ws_fanout_seconds_count", 0) - \
            before.get("tourneyd_ws_fanout_seconds_count", 0)
        fan_sum = after.get("tourneyd_ws_fanout_seconds_sum", 0) - \
            before.get("tourneyd_ws_fanout_seconds_sum", 0)
        res["server"] = {
            "messages_sent": sent, "dropped": dropped, "exit": rc, "rss_peak_mb": rss_peak_mb,
            "fanout_mean_ms": round(fan_sum / fan_n * 1e3, 3) if fan_n else None,
            "fanout_p99_bucket_ms": (hist_quantile(before, after, "tourneyd_ws_fanout_seconds",
                                                   0.99) or 0) * 1e3,
            "commit_p99_bucket_ms": (hist_quantile(before, after,
                                                   "tourneyd_writer_commit_duration_seconds",
                                                   0.99) or 0) * 1e3,
        }
        client_cpu = ru1.ru_utime + ru1.ru_stime - ru0.ru_utime - ru0.ru_stime
        other = max(0.0, (busy1 - busy0) - (cpu1 - cpu0) - client_cpu)
        res["cpu_seconds"] = {"server": round(cpu1 - cpu0, 2), "client": round(client_cpu, 2),
                              "other_processes": round(other, 2)}
        res["other_cpu_pct"] = round(100 * other / (wall1 - wall0), 1)  # 100 = one core
        res["config"] = {"subs": a.subs, "players": a.players, "rate": a.rate,
                         "scale": a.scale, "threads": a.threads,
                         "ws_threads": a.ws_threads or "default",
                         "client_cpu": a.client_cpu or "any"}
        res["machine"] = {"nproc": os.cpu_count(), "kernel": platform.release(),
                          "loadavg_after": os.getloadavg()}
        try:
            res["git"] = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                                        capture_output=True, text=True).stdout.strip()
        except OSError:
            pass
        res["date"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        if not a.no_floor:
            res["floor"] = floor(cc, tmp, a, res)
        invalid = [k for k in ("lost", "duplicated", "divergent_subscribers", "extra",
                               "closed_subscribers", "non_200") if res[k]]
        if sent != received:
            invalid.append(f"server sent {sent:g} messages, subscribers received {received}")
        if dropped:
            invalid.append(f"{dropped:g} clients dropped")
        if rc != 0:
            invalid.append(f"tourneyd exit {rc}")
        p99 = res["message_after_ack"]["p99_ms"]
        res["bar"] = {"p99_ms_max": BAR_P99_MS, "p99_ok": p99 <= BAR_P99_MS,
                      "invalid": invalid}
        os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
        for name in ("live-latest.json", time.strftime("live-run-%Y%m%dT%H%M%SZ.json",
                                                         time.gmtime())):
            with open(os.path.join(ROOT, "bench", "results", name), "w") as f:
                json.dump(res, f, indent=2)

        m, s = res["message_after_ack"], res["state_after_ack"]
        print(f"\nlive updates: {a.subs} subscribers, {res['results']} results at "
              f"{a.rate:g}/s, {res['messages_received']} messages received")
        print(f"  ack (post -> 200)       p50 {res['ack']['p50_ms']:.2f} ms  "
              f"p99 {res['ack']['p99_ms']:.2f} ms")
        print(f"  message after ack       p50 {m['p50_ms']:.2f} ms  p90 {m['p90_ms']:.2f} ms  "
              f"p99 {m['p99_ms']:.2f} ms  max {m['max_ms']:.2f} ms  "
              f"({m['before_ack']} of {m['count']} arrived before the ack)")
        print(f"  state message after ack p50 {s['p50_ms']:.2f} ms  p99 {s['p99_ms']:.2f} ms  "
              f"max {s['max_ms']:.2f} ms")
        print(f"  server: fan-out mean {res['server']['fanout_mean_ms']} ms, p99 bucket <= "
              f"{res['server']['fanout_p99_bucket_ms']:g} ms; commit p99 bucket <= "
              f"{res['server']['commit_p99_bucket_ms']:g} ms; {sent:g} messages sent; "
              f"peak RSS {rss_peak_mb} MB")
        print(f"  CPU during the run: server {res['cpu_seconds']['server']} s, client "
              f"{res['cpu_seconds']['client']} s, other processes "
              f"{res['cpu_seconds']['other_processes']} s ({res['other_cpu_pct']}% of a core)")
        if res["other_cpu_pct"] > MAX_OTHER:
            print(f"  (busy: other processes used {res['other_cpu_pct']}% of a core; the figures "
                  f"are worse than this machine does alone)")
        fl = res.get("floor")
        if fl:
            print(f"  floor (bench/live_floor.c: no server, the same {fl['bytes']} bytes per "
                  f"subscriber per result in one send, {fl['send_threads']} sending and "
                  f"{fl['rx_threads']} reading threads, timed from the send's start): "
                  f"p50 {fl['p50_ms']:.2f} ms  p99 {fl['p99_ms']:.2f} ms; kernel+loop CPU "
                  f"{fl['send_cpu_us_per_delivery']:.1f} us per write, "
                  f"{fl['rx_cpu_us_per_delivery']:.1f} us per read")
        print(f"  lost {res['lost']}, duplicated {res['duplicated']}, divergent "
              f"{res['divergent_subscribers']}, extra {res['extra']}, non-200 {res['non_200']}")
        verdict = "INVALID: " + "; ".join(invalid) if invalid else \
            ("PASS" if p99 <= BAR_P99_MS else "FAIL")
        print(f"  bar p99 <= {BAR_P99_MS:g} ms, nothing lost or duplicated: {verdict}")
        print("  results: bench/results/live-latest.json")
        if invalid:
            sys.exit(1)
        sys.exit(0 if p99 <= BAR_P99_MS else 2)
    finally:
        if server is not None:
            server.kill()
            server.wait()
        if a.keep_tmp:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


T0 = time.monotonic()
if __name__ == "__main__":
    main()
