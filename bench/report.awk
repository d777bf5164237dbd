# bench/report.awk: the table, the bars and bench/results/latest.json of bench/run.sh.
#
# Input: runs.tsv (one line per measured run, header first); the columns are named in
# bench/run.sh where it writes the header. Everything else comes in -v variables set by
# bench/run.sh. Exit: 0, 1 when a tourneyd figure is invalid, 2 when --strict and a bar is
# missed. Written for mawk (POSIX awk).

function jstr(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); gsub(/\t/, " ", s); return "\"" s "\"" }
function num(v) { return (v == "" || v == "null") ? "null" : v + 0 }
function jbool(c) { return c ? "true" : "false" }
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
# an integer with thousands separators (mawk's printf has no ' flag)
function commas(v,   s, o) { s = sprintf("%.0f", v); o = ""; while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) } return s o }
function addbar(b, s) { return b (b == "" || b ~ / $/ ? "" : ", ") s }
function has(list, w) { return index(" " list " ", " " w " ") > 0 }
function base_of(ep) { sub(/_nocache$/, "", ep); return ep }
# cache lookups of the runs of a key: "hit%" or "-" when the server looked nothing up
function hitpct(key,   h, l) {
  if (cnt[key] == 0 || val[key, 1, 22] == "") return ""
  h = total(key, 22); l = h + total(key, 23) + total(key, 24)
  return l > 0 ? 100 * h / l : ""
}
function stats_json(key,   s, hp) {
  if (cnt[key] == 0) return "null"
  s = sprintf("{\"rps\": %.1f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, \"p90_ms\": %.3f, \"p999_ms\": %.3f, \"mean_ms\": %.3f, \"max_ms\": %.3f, \"requests\": %d, \"non2xx\": %d, \"socket_errors\": %d, \"other_cpu_pct_max\": %s, \"server_cpu_pct\": %s, \"connections\": %d, \"runs\": %d",
    median(key, 6), median(key, 7), median(key, 9), median(key, 8), median(key, 10), median(key, 11), maxv(key, 12),
    total(key, 5), total(key, 13), total(key, 14), maxv(key, 15), median(key, 16), maxv(key, 19), cnt[key])
  if (maxv(key, 17) != "") s = s sprintf(", \"rss_kb_max\": %d", maxv(key, 17))
  if (total(key, 18) > 0) s = s sprintf(", \"warmup_non2xx\": %d", total(key, 18))
  if (val[key, 1, 22] != "") {
    hp = hitpct(key)
    s = s sprintf(", \"cache_lookups\": {\"hits\": %d, \"misses\": %d, \"stale\": %d}, \"cache_hit_pct\": %s", total(key, 22), total(key, 23), total(key, 24), (hp == "" ? "null" : sprintf("%.1f", hp)))
  }
  return s "}"
}
# an issue bar on a row: records it for the bar list and returns "PASS label" / "MISS label"
function bar(id, row, ok, label, value,   t) {
  t = (ok ? "PASS " : "MISS ") label
  if (ok) bpass[id]++; else { bmiss[id]++; bmissrows[id] = bmissrows[id] (bmissrows[id] == "" ? "" : ", ") row " (" label ": " value ")"; barfail = 1 }
  rowbars = rowbars (rowbars == "" ? "" : ", ") sprintf("{\"bar\": %s, \"id\": %s, \"value\": %s, \"pass\": %s}", jstr(label), jstr(id), (value ~ /^-?[0-9.]+$/ ? value : jstr(value)), jbool(ok))
  return t
}
function bar_na(id, row, why) { bna[id] = bna[id] (bna[id] == "" ? "" : "; ") row ": " why }
function bar_status(id) { return bmiss[id] ? "MISS" : (bpass[id] ? "PASS" : "NOT MEASURED") }

NR == 1 { next }
{ key = $1 SUBSEP $2; n = ++cnt[key]; for (c = 1; c <= NF; c++) val[key, n, c] = $c
  rawrow[++nraw] = $0 }
END {
  nep = split(endpoints, eps, " ")
  split(djmap, dm, " "); for (i in dm) { split(dm[i], kvp, "="); djm[kvp[1]] = kvp[2] }
  split(djref, dr, " "); for (i in dr) { split(dr[i], kvp, "="); dref[kvp[1]] = kvp[2] }
  split(labels, lm, " "); for (i in lm) { split(lm[i], kvp, "="); lab[kvp[1]] = kvp[2] }
  np = split(paths, pp, "|"); for (i = 1; i <= np; i++) if (pp[i] != "") { k = substr(pp[i], 1, index(pp[i], "=") - 1); path[k] = substr(pp[i], index(pp[i], "=") + 1) }
  # bare_same: "row:bytes:slug:min:max:n ..." (the body the row's bare_same served)
  nsi = split(same_info, si, " "); for (i = 1; i <= nsi; i++) { split(si[i], kvp, ":"); sbytes[kvp[1]] = kvp[2]; sslug[kvp[1]] = kvp[3]; smin[kvp[1]] = kvp[4]; smax[kvp[1]] = kvp[5]; sn[kvp[1]] = kvp[6] }
  nsame = 0
  has_dj = (targets ~ /django/); has_t = (targets ~ /tourneyd/); has_b = (targets ~ /bare/)
  invalid = 0; barfail = 0; nnotes = 0; used_ref = 0
  bdesc["state"] = "cached state and tournament-states: >= 0.8x the bare responder, p99 <= 2 ms at c64"
  bdesc["cached"] = "cached list, detail, registrations, bracket, standings: >= 0.6x the bare responder"
  bdesc["uncached"] = "uncached list, detail, registrations, standings: >= 50x Django's matching endpoint"
  bdesc["register"] = "registration POST: >= 20x Django's register"
  bdesc["artillery"] = "artillery scenario (the original load test): 0 errors, p95 < 5 ms; heavy_100x: 0 errors, p95 reported"
  bs = (big_scale > 1 ? big_scale : 10)
  bdesc["scale"] = "scale " bs " (" (bs == 10 ? "1M registrations" : bs "x the data") "): uncached p99 within 1.5x of scale 1"
  bdesc["rss"] = "RSS under the mixed load < " rss_max_mb " MB with a " mixed_cache_mb " MB cache"
  split("state cached uncached register artillery scale rss", border, " ")

  printf "\n== tourneyd benchmark: wrk -t1 -c%s -d%s --latency, 127.0.0.1, %s x %s, tourneyd --threads %s (uncached instances %s)%s ==\n", conns, duration, ncpu, cpu_model, threads, nc_threads, (repeat > 1 ? ", median of " repeat " passes" : "")
  printf "cached rows: %s (%s), after a 1 s warm-up; uncached rows (_nocache): every key, a second tourneyd with --cache-mb 0\n", (hot > 0 ? hot " hot keys per key list" : "every key"), "the tourneyd as started, response cache on"
  if (ratio_rows != "" && ratio_repeat > repeat) printf "rows judged against bare (%s): bare, bare_same and tourneyd medians of %d alternating passes\n", ratio_rows, ratio_repeat
  printf "%-28s %5s %5s %9s %7s %7s %7s | %9s %6s | %-14s %8s %8s | %s\n", "endpoint", "cache", "hit%", "req/s", "p50 ms", "p99 ms", "non2xx", "bare", "/bare", "django match", "req/s", "x django", "bars (issue: PASS/MISS; earlier: ok/fail)"
  line = "--------------------------------------------------------------------------------------------------------------------------------------------------------------------"
  printf "%s\n", line
  for (i = 1; i <= nep; i++) {
    ep = eps[i]; base = base_of(ep); nc = (ep != base); tk = "tourneyd" SUBSEP ep
    bk = "bare" SUBSEP ep; if (!cnt[bk]) bk = "bare" SUBSEP base
    dj = djm[base]; dk = "django" SUBSEP dj
    isreg = (ep == "register" || ep == "register_c256"); ismixed = (ep == "mixed")
    trps = median(tk, 6); tp50 = median(tk, 7); tp99 = median(tk, 9); tn = (cnt[tk] ? total(tk, 13) : ""); tsock = (cnt[tk] ? total(tk, 14) : 0)
    brps = median(bk, 6); drps = (dj != "" ? median(dk, 6) : ""); dsrc = (drps != "" ? "run" : "")
    if (drps == "" && dj != "" && dref[dj] != "") { drps = dref[dj]; dsrc = "reference"; used_ref = 1 }
    rb = (trps != "" && brps != "" && brps > 0) ? trps / brps : ""
    rd = (trps != "" && drps != "" && drps > 0) ? trps / drps : ""
    # bare_same: the bare responder serving the same bytes as this row's typical answer (information)
    sk2 = "bare_same" SUBSEP ep; srps = median(sk2, 6)
    rs = (trps != "" && srps != "" && srps > 0) ? trps / srps : ""
    bsj = "null"
    if (cnt[sk2]) {
      bsj = sprintf("{\"rps\": %.1f, \"body_bytes\": %s, \"ratio\": %s, \"slug\": %s, \"hot_keys\": %s, \"hot_body_bytes_min\": %s, \"hot_body_bytes_max\": %s, \"stats\": %s}",
        srps, num(sbytes[ep]), (rs == "" ? "null" : sprintf("%.4f", rs)), (sslug[ep] == "" ? "null" : jstr(sslug[ep])), num(sn[ep]), num(smin[ep]), num(smax[ep]), stats_json(sk2))
      sbusy = maxv(sk2, 15)
      sameline[++nsame] = sprintf("  %-15s %s req/s = %s bare (%s B) = %s the bare responder serving the same %s-byte body (%s req/s)%s",
        lab[ep] ":", (trps == "" ? "-" : commas(trps)), (rb == "" ? "-" : sprintf("%.2fx", rb)), (bare_bytes == "" ? "?" : commas(bare_bytes)),
        (rs == "" ? "-" : sprintf("%.2fx", rs)), (sbytes[ep] == "" ? "?" : commas(sbytes[ep])), commas(srps), (sbusy != "" && sbusy > max_other ? " (busy: " sbusy "% other CPU)" : ""))
    }
    cachecol = (nc ? "off" : (has(hot_eps, ep) ? (hot > 0 ? "hot" : "all") : (ismixed ? mixed_cache_mb "MB" : "-")))
    hp = hitpct(tk)
    rowbars = ""; bars = ""
    # the _mix rows: hot keys over every live or completed tournament (the seeded sizes),
    # information beside the 64-player rows the cached bar is judged on
    worst = (!nc && (base == "bracket_mix" || base == "standings_mix")) ? "every size: information, no bar" : ""
    bad = (cnt[tk] && (tn + 0 > 0 || tsock > 0 || total(tk, 18) > 0))
    if (bad) { invalid = 1; bars = "INVALID(" (tn + 0) " non2xx, " tsock " sock err) " }
    if ((isreg || ismixed) && cnt[tk] && !xall_ok(tk)) { invalid = 1; bars = bars "ROWS<>201s " }
    if (nc && cnt[tk] && total(tk, 22) > 0) { invalid = 1; bars = bars "CACHE-NOT-OFF(" total(tk, 22) " hits) " }
    # --- the issue's bars
    if (cnt[tk]) {
      if (!nc && (base == "state" || base == "states")) {
        if (rb != "") bars = addbar(bars, bar("state", ep, rb >= 0.8, ">=0.8x bare", sprintf("%.2f", rb))); else bar_na("state", ep, "bare not measured")
        bars = addbar(bars, bar("state", ep, tp99 <= 2, "p99<=2ms" (conns != 64 ? "@c" conns : ""), sprintf("%.2f", tp99)))
      }
      if (worst != "") bars = addbar(bars, "(" worst ")")
      # the other rows judged against bare (run.sh's RATIO_EPS: they get --ratio-repeat passes)
      if (!nc && has(ratio_eps, base) && base != "state" && base != "states") {
        if (rb != "") bars = addbar(bars, bar("cached", ep, rb >= 0.6, ">=0.6x bare", sprintf("%.2f", rb))); else bar_na("cached", ep, "bare not measured")
        # a miss next to its ceiling: what the bare responder itself reaches with these bytes
        if (rb != "" && rb < 0.6 && rs != "") samenote["cached"] = samenote["cached"] (samenote["cached"] == "" ? "" : ", ") ep " is " sprintf("%.2fx", rs) " the bare responder serving the same bytes, which itself is " sprintf("%.2fx", srps / brps) " bare"
      }
      if (nc && base ~ /^(list|list_game|list_status|list_game_status|detail|registrations|registrations_status|standings)$/) {
        if (rd != "") bars = addbar(bars, bar("uncached", ep, rd >= 50, ">=50x django" (dsrc == "reference" ? "*" : ""), sprintf("%.1f", rd)))
        else bar_na("uncached", ep, "no Django figure for " dj)
      }
      if (ep == "register") {
        if (rd != "") bars = addbar(bars, bar("register", ep, rd >= 20, ">=20x django" (dsrc == "reference" ? "*" : ""), sprintf("%.1f", rd)))
        else bar_na("register", ep, "no Django figure")
      }
      if (ismixed) {
        mrss = (m_hwm != "" && m_hwm != "null") ? m_hwm / 1024 : ""
        if (mrss != "") bars = addbar(bars, bar("rss", ep, mrss < rss_max_mb, "RSS " sprintf("%.1f", mrss) "MB<" rss_max_mb, sprintf("%.1f", mrss)))
        if (mixed_cache_mb != 64) bars = bars " (cache " mixed_cache_mb " MB, the bar says 64)"
      }
    }
    # --- the earlier bars: reads p99 <= 10 ms and >= 10x Django; register >= 20x (above)
    pbar = !isreg && !ismixed; rmin = (isreg || ismixed ? 0 : 10)
    if (pbar && tp99 != "") { if (tp99 <= 10) bars = addbar(bars, "p99 ok"); else { bars = addbar(bars, "p99>10ms"); barfail = 1 } }
    if (rd != "" && rmin) { if (rd >= rmin) bars = addbar(bars, rmin "x ok"); else { bars = addbar(bars, "<" rmin "x"); barfail = 1 } }
    if (rd != "" && ep == "register_c256") bars = addbar(bars, "(django at c" conns ")")
    busy = maxv(tk, 15); if (busy == "" || busy < maxv(bk, 15)) busy = maxv(bk, 15); if (dj != "" && (busy == "" || busy < maxv(dk, 15))) busy = maxv(dk, 15)
    if (busy != "" && busy > max_other) bars = bars " (busy: " busy "% other CPU)"
    printf "%-28s %5s %5s %9s %7s %7s %7s | %9s %6s | %-14s %8s %8s | %s\n", lab[ep], cachecol, (hp == "" ? "-" : sprintf("%.0f", hp)),
      fmt_rps(trps), fmt_ms(tp50), fmt_ms(tp99), (tn == "" ? "-" : tn) (tsock > 0 ? "+" tsock "e" : ""),
      fmt_rps(brps), (rb == "" ? "-" : sprintf("%.2f", rb)), (dj == "" ? "-" : dj), fmt_rps(drps) (dsrc == "reference" ? "*" : ""), (rd == "" ? "-" : sprintf("%.1fx", rd)), bars
    regj = "null"
    if ((isreg || ismixed) && cnt[tk]) {
      jobs = xsum(tk, "batch_jobs"); batches = xsum(tk, "batches"); bmean = (batches > 0 ? jobs / batches : 0)
      rows = xsum(tk, "rows"); ok2 = xsum(tk, "wrk_2xx"); infl = xsum(tk, "in_flight"); sent = xsum(tk, "sent")
      regj = sprintf("{\"connections\": %d, \"requests_sent\": %d, \"rows_created\": %d, \"responses_2xx\": %d, \"in_flight_at_stop\": %d, \"rows_match_201s\": %s, \"writer_batch_jobs\": %d, \"writer_batches\": %d, \"writer_batch_mean\": %.2f}",
        maxv(tk, 19), sent, rows, ok2, infl, jbool(xall_ok(tk)), jobs, batches, bmean)
      if (isreg)
        note[++nnotes] = sprintf("%s (c%d%s): group commit %.1f registrations per commit (tourneyd_writer_batch_size: %d jobs in %d commits); registrations rows created %d = %d 201s + %d in flight at wrk's stop: %s",
          lab[ep], maxv(tk, 19), (cnt[tk] > 1 ? ", sums of " cnt[tk] " runs" : ""), bmean, jobs, batches, rows, ok2, infl, (xall_ok(tk) ? "ok" : "MISMATCH"))
      else {
        cb = xsum(tk, "cache_bytes") / cnt[tk]
        note[++nnotes] = sprintf("mixed (c%d, bench/lua/mixed.lua: 90 %% reads over every key, 10 %% registrations): tourneyd --cache-mb %s, peak RSS (VmHWM) %s MB, largest VmRSS sampled during the run%s %s MB (bar < %s MB); response cache held %.1f MB at the end; %d registrations sent, %d rows created, %.1f per commit: %s",
          maxv(tk, 19), mixed_cache_mb, (m_hwm == "" || m_hwm == "null" ? "?" : sprintf("%.1f", m_hwm / 1024)), (cnt[tk] > 1 ? "s" : ""),
          (maxv(tk, 25) == "" ? "?" : sprintf("%.1f", maxv(tk, 25) / 1024)), rss_max_mb, cb / 1048576, sent, rows, bmean, (xall_ok(tk) ? "ok" : "MISMATCH"))
      }
    }
    mixj = "null"
    if (ismixed && cnt[tk])
      mixj = sprintf("{\"cache_mb\": %d, \"peak_rss_kb\": %s, \"rss_sampled_max_kb\": %s, \"cache_bytes_at_end\": %d, \"bar_rss_mb\": %d, \"bar_rss_ok\": %s}",
        mixed_cache_mb, num(m_hwm), num(maxv(tk, 25)), xsum(tk, "cache_bytes") / cnt[tk], rss_max_mb, (m_hwm == "" || m_hwm == "null" ? "null" : jbool(m_hwm / 1024 < rss_max_mb)))
    R[i] = sprintf("    {\"endpoint\": %s, \"label\": %s, \"base\": %s, \"cache\": %s, \"hot_keys\": %s, \"path\": %s, \"tourneyd\": %s, \"bare\": %s, \"ratio_to_bare\": %s, \"django_match\": %s, \"django_path\": %s, \"django\": %s, \"django_source\": %s, \"django_rps_used\": %s, \"ratio_to_django\": %s, \"bar_10x_django\": %s, \"bar_ratio_min\": %s, \"bar_ratio_ok\": %s, \"bar_p99_10ms\": %s, \"bars\": [%s], \"bar_note\": %s, \"valid\": %s, \"register\": %s, \"mixed\": %s, \"bare_same\": %s}",
      jstr(ep), jstr(lab[ep]), jstr(base), (nc ? "\"off\"" : (has(hot_eps, ep) ? "\"hot\"" : "null")), ((!nc && has(hot_eps, ep)) ? (hot > 0 ? hot : "\"all\"") : "null"),
      jstr(path[base]), stats_json(tk), stats_json(bk), (rb == "" ? "null" : sprintf("%.4f", rb)),
      (dj == "" ? "null" : jstr(dj)), (dj == "" ? "null" : jstr(path["dj:" dj])), (dj == "" ? "null" : stats_json(dk)), (dsrc == "" ? "null" : jstr(dsrc)), (drps == "" ? "null" : drps + 0),
      (rd == "" ? "null" : sprintf("%.3f", rd)), (rd == "" || rmin != 10 ? "null" : jbool(rd >= 10)),
      (isreg ? (ep == "register" ? 20 : "null") : (rmin && dj != "" ? rmin : "null")), (rd == "" || (!rmin && ep != "register") ? "null" : jbool(rd >= (ep == "register" ? 20 : rmin))),
      ((tp99 == "" || !pbar) ? "null" : jbool(tp99 <= 10)), rowbars, (worst == "" ? "null" : jstr(worst)), ((bad || ((isreg || ismixed) && cnt[tk] && !xall_ok(tk)) || (nc && cnt[tk] && total(tk, 22) > 0)) ? "false" : "true"), regj, mixj, bsj)
  }
  printf "%s\n", line
  if (nsame) {
    printf "same bytes (bare_same: the bare responder compiled with the row's median-sized answer over its hot keys as its /json body, measured next to the row; information, the bar stays against bare):\n"
    for (i = 1; i <= nsame; i++) printf "%s\n", sameline[i]
  }
  printf "cache: hot = the cached tourneyd with %s, off = the tourneyd started with --cache-mb 0 (every key); hit%% = response cache hits / lookups during the run (- = no lookup)\n", (hot > 0 ? hot " keys per key list" : "every key")
  if (used_ref) printf "*: Django not measured in this run: its figure from the anchor's results.tsv (sqlite, locmem, gunicorn sync, c32) on this kind of machine\n"
  printf "earlier bars: reads p99 <= 10 ms at c%s and >= 10x Django; register_c%s: Django's figure is its c%s run, no bar\n", conns, reg_conns, conns
  for (i = 1; i <= nnotes; i++) printf "%s\n", note[i]
  if (reg_final != "") {
    printf "register data after the run: %d registrations in the bench tournaments (warm-ups included), %d confirmed, tournament counters %d, %d pair(s) registered twice, %d requests generated: %s\n",
      kv(reg_final, "rows"), kv(reg_final, "confirmed"), kv(reg_final, "counters"), kv(reg_final, "duplicate_pairs"), kv(reg_final, "sent"), kv(reg_final, "check")
  }
  if (reg_bad == 1) { printf "!!! register: the registrations rows do not match what the server acknowledged (see above)\n"; invalid = 1 }
  if (org_info != "" && (" " endpoints " " ~ / (org_dashboard|payments|payments_nocache) /)) printf "org_dashboard, payments: as %s (organizes %d tournaments, %d paid and visible)\n", kv(org_info, "username"), kv(org_info, "tournaments"), kv(org_info, "paid")
  if (t64_info != "" && (" " endpoints " " ~ / (standings|bracket|matches)(_nocache)? /))
    printf "standings, bracket, matches: %d live or completed tournaments with %s seeded participants%s (%s; %s completed matches each on average)\n",
      kv(t64_info, "tournaments"), kv(t64_info, "seeded_participants"), (kv(t64_info, "seeded_participants") == "64" ? "" : " (fewer than 3 had exactly 64)"),
      kv(t64_info, "by"), kv(t64_info, "completed_matches_mean")
  if (tlc_info != "" && (" " endpoints " " ~ / (standings_mix|bracket_mix) /)) {
    # the hot keys' answer sizes come from bare_same's fetch (none without it)
    tsz = ""
    for (i = 1; i <= 2; i++) { e = (i == 1 ? "bracket_mix" : "standings_mix"); if (sbytes[e] == "") continue
      tsz = tsz (tsz == "" ? "" : ", ") e " " commas(smin[e]) " / " commas(sbytes[e]) " / " commas(smax[e]) " B" }
    printf "standings_mix, bracket_mix: %d live or completed tournaments with a match (%s; seeded participants min %s, median %s, max %s); %s%s\n",
      kv(tlc_info, "tournaments"), kv(tlc_info, "by"), kv(tlc_info, "seeded_participants_min"), kv(tlc_info, "seeded_participants_median"), kv(tlc_info, "seeded_participants_max"),
      (hot > 0 ? hot " hot keys spread over them by seeded participants" : "every one of them"),
      (tsz != "" ? "; their answers min / median / max: " tsz : "")
  }
  if (lb_info != "" && (" " endpoints " " ~ / (leaderboard|leaderboard_nocache|mixed) /))
    printf "leaderboard: the first snapshot (%s) was ready %s s after the start; it is recomputed every --leaderboard-interval (60 s by default) during the run\n", kv(lb_info, "computed_at"), kv(lb_info, "waited_s")
  if (d_lb_info != "" && has_dj && (" " endpoints " " ~ / (standings|bracket|leaderboard)(_nocache|_mix)? /))
    printf "django leaderboard: a random one of its %d non-deleted tournaments (%s completed matches each on average), as the anchor's own leaderboard.lua\n", kv(d_lb_info, "tournaments"), kv(d_lb_info, "completed_matches_mean")
  sk = "django" SUBSEP "state"
  if (cnt[sk]) printf "django cached state (cache_page 30 s, may be 30 s stale; not the comparison): %.0f req/s, p50 %.2f ms, p99 %.2f ms\n", median(sk, 6), median(sk, 7), median(sk, 9)
  if (skipped != "") { printf "!!! SKIPPED (no token or no data, see the log): %s\n", skipped; invalid = 1 }
  rss_mb = (hwm != "null" && hwm != "") ? hwm / 1024 : ""
  if (has_t) {
    printf "tourneyd peak RSS (VmHWM over the whole run, the cached instance): %.1f MB  [earlier bar < 100 MB: %s]\n", rss_mb, (rss_mb < 100 ? "ok" : "FAIL")
    if (rss_mb >= 100) barfail = 1
    printf "seed scale %s: %.2f s (migrate %.2f s), database %.1f MiB  [earlier bar < 5 s: %s]\n", scale, seed_s, migrate_s, db_bytes / 1048576, (seed_s < 5 ? "ok" : "FAIL")
    if (seed_s >= 5) barfail = 1
    printf "tourneyd rows (as seeded): %s\n", t_counts
    if (reg_setup != "") printf "register setup: %d bench tournaments (ids %d..%d, %s, free, solo, 1024 places) x 1024 users with direct tokens: %d pairs\n",
      kv(reg_setup, "tournaments"), kv(reg_setup, "first_id"), kv(reg_setup, "last_id"), kv(reg_setup, "game"), kv(reg_setup, "pairs")
  }
  if (has_dj) printf "django seed: %.2f s; rows: %s\n", d_seed_s, d_counts
  else printf "django: not measured (set DJANGO_ANCHOR=../shared/anchors/django)%s\n", (used_ref ? "; the bars use its reference figures (*)" : "")
  noisy = 0; for (i = 1; i <= nraw; i++) { split(rawrow[i], f, "\t"); if (f[15] + 0 > max_other) noisy++ }
  if (noisy) printf "note: %d run(s) kept with other processes above %s%% CPU (see other_cpu_pct in the JSON)\n", noisy, max_other

  # --- --scale N: scale 1 and N side by side
  scj = "null"
  if (scale_rows != "") {
    ns = split(scale_rows, sce, " ")
    printf "\n== scale: uncached (--cache-mb 0), scale 1 and scale %s measured one after the other%s (scale %s: %s; seeded in %s s, %.0f MiB) ==\n",
      big_scale, (scale_repeat > 1 ? ", medians of " scale_repeat " alternating passes" : ""), big_scale, sc_counts, kv(sc_info, "seed_s"), kv(sc_info, "db_bytes") / 1048576
    printf "%-16s %10s %8s %8s | %10s %8s %8s | %7s %7s | %s\n", "endpoint", "s1 req/s", "p50 ms", "p99 ms", "s" big_scale " req/s", "p50 ms", "p99 ms", "p99 x", "req/s x", "bar: p99 within 1.5x"
    scj = ""
    for (i = 1; i <= ns; i++) {
      e = sce[i]; k1 = "tourneyd" SUBSEP "scale1:" e "_nocache"; kn = "tourneyd" SUBSEP "scale" big_scale ":" e "_nocache"
      p1 = median(k1, 9); pn = median(kn, 9); r1 = median(k1, 6); rn = median(kn, 6)
      pr = (p1 != "" && pn != "" && p1 > 0) ? pn / p1 : ""; rr = (r1 != "" && rn != "" && rn > 0) ? r1 / rn : ""
      sbad = (cnt[k1] && (total(k1, 13) + total(k1, 14) > 0)) || (cnt[kn] && (total(kn, 13) + total(kn, 14) > 0))
      if (sbad) invalid = 1
      rowbars = ""
      b = (pr == "" ? "-" : bar("scale", e, pr <= 1.5, "p99 <=1.5x scale 1", sprintf("%.2f", pr)))
      printf "%-16s %10s %8s %8s | %10s %8s %8s | %7s %7s | %s%s\n", e, fmt_rps(r1), fmt_ms(median(k1, 7)), fmt_ms(p1), fmt_rps(rn), fmt_ms(median(kn, 7)), fmt_ms(pn),
        (pr == "" ? "-" : sprintf("%.2f", pr)), (rr == "" ? "-" : sprintf("%.2f", rr)), b, (sbad ? " INVALID (non-2xx or socket errors)" : "")
      scj = scj (scj == "" ? "" : ", ") sprintf("{\"endpoint\": %s, \"scale1\": %s, \"scale%s\": %s, \"p99_ratio\": %s, \"rps_ratio\": %s, \"bar_p99_within_1_5x\": %s, \"valid\": %s}",
        jstr(e), stats_json(k1), big_scale, stats_json(kn), (pr == "" ? "null" : sprintf("%.3f", pr)), (rr == "" ? "null" : sprintf("%.3f", rr)), (pr == "" ? "null" : jbool(pr <= 1.5)), jbool(!sbad))
    }
    printf "p99 x: scale %s p99 / scale 1 p99 (O(log n) per request keeps it near 1); req/s x: scale 1 req/s / scale %s req/s\n", big_scale, big_scale
    scj = sprintf("{\"scale\": %s, \"info\": %s, \"rows\": %s, \"endpoints\": [%s]}", big_scale, kvjson(sc_info), (sc_counts == "" ? "null" : sc_counts), scj)
  }

  # --- --artillery: one line per phase, from bench/artillery.sh's summary (art_lines)
  if (artillery) {
    na = split(art_lines, al, ";")
    if (art_lines == "") { printf "\n== artillery: NO RESULT (bench/artillery.sh exited %s; see the log above) ==\n", art_rc; bmiss["artillery"]++; bmissrows["artillery"] = "no result"; barfail = 1 }
    else {
      printf "\n== artillery (bench/artillery.sh, the original load test against the cached tourneyd; full table above in the log) ==\n"
      for (i = 1; i <= na; i++) {
        a = al[i]; if (a == "") continue
        ok = (kv(a, "pass") == "true")
        if (ok) bpass["artillery"]++; else { bmiss["artillery"]++; bmissrows["artillery"] = bmissrows["artillery"] (bmissrows["artillery"] == "" ? "" : ", ") kv(a, "phase") " (p95 " kv(a, "p95") " ms, " kv(a, "errors") " errors)"; barfail = 1 }
        printf "%-12s %6s users/s %7.0f req/s  p95 %5s ms  p99 %5s ms  errors %s (rate %s)  server p95 <= %s ms  %s\n", kv(a, "phase"), kv(a, "users"), kv(a, "rps"), kv(a, "p95"), kv(a, "p99"),
          kv(a, "errors"), kv(a, "error_rate"), kv(a, "server_p95"), (ok ? "PASS" : "MISS")
      }
    }
  }

  # --- the bar list
  printf "\n== bars of the issue ==\n"
  if (!has_dj && used_ref && bpass["uncached"] + bmiss["uncached"] > 0) bna["uncached"] = bna["uncached"] (bna["uncached"] == "" ? "" : "; ") "Django from its reference figures, not this run"
  if (!has_dj && used_ref && bpass["register"] + bmiss["register"] > 0) bna["register"] = bna["register"] (bna["register"] == "" ? "" : "; ") "Django from its reference figure, not this run"
  if (m_hwm == "" || m_hwm == "null") bna["rss"] = "no mixed row"
  if (scale_rows == "") bna["scale"] = "not measured (--scale 10)"
  if (!artillery) bna["artillery"] = "not measured (--artillery)"
  bj = ""
  for (i = 1; i <= 7; i++) {
    id = border[i]; st = bar_status(id)
    sn2 = samenote[id]
    printf "%-12s %-74s %s%s%s\n", st, bdesc[id], (bmiss[id] ? "missed by: " bmissrows[id] : (bpass[id] ? bpass[id] " row(s)" : "")), (bna[id] != "" ? " [" bna[id] "]" : ""), (sn2 != "" ? " (" sn2 ")" : "")
    bj = bj (bj == "" ? "" : ", ") sprintf("{\"id\": %s, \"bar\": %s, \"status\": %s, \"passed\": %d, \"missed\": %d, \"missed_by\": %s, \"note\": %s%s}", jstr(id), jstr(bdesc[id]), jstr(st), bpass[id] + 0, bmiss[id] + 0, jstr(bmissrows[id]), jstr(bna[id]), (sn2 != "" ? ", \"same_bytes\": " jstr(sn2) : ""))
  }
  if (invalid) printf "\n!!!!! INVALID: some tourneyd figures include non-2xx responses or socket errors, an endpoint was skipped, registrations rows do not match, or an uncached row hit a cache (see above) !!!!!\n"

  nsk = split(skipped, sks, " "); skj = ""; for (i = 1; i <= nsk; i++) skj = skj (i > 1 ? ", " : "") jstr(sks[i])
  printf "{\n" > out
  printf "  \"date\": %s,\n  \"git_commit\": %s,\n  \"git_dirty\": %s,\n", jstr(date), jstr(commit), dirty > out
  printf "  \"machine\": {\"nproc\": %d, \"cpu_model\": %s, \"mem_kb\": %d, \"kernel\": %s},\n", ncpu, jstr(cpu_model), mem_kb, jstr(kernel) > out
  printf "  \"config\": {\"tool\": \"wrk\", \"wrk_threads\": 1, \"connections\": %d, \"register_connections\": %d, \"duration\": %s, \"warmup\": \"1s at 4 connections\", \"repeat\": %d, \"ratio_repeat\": %d, \"ratio_rows\": %s, \"quick\": %s, \"tourneyd_threads\": %d, \"tourneyd_nocache_threads\": %d, \"tourneyd_args\": %s, \"cache\": %s, \"hot_keys\": %d, \"mixed_cache_mb\": %d, \"targets\": %s, \"listen\": \"127.0.0.1\", \"max_other_cpu_pct\": %d, \"elapsed_seconds\": %d},\n", conns, reg_conns, jstr(duration), repeat, (ratio_rows != "" ? ratio_repeat : repeat), jstr(ratio_rows), jbool(quick), threads, nc_threads, jstr(t_args), jstr(cache_mode), hot, mixed_cache_mb, jstr(targets), max_other, elapsed > out
  printf "  \"seed\": {\"scale\": %s, \"rng_seed\": %s, \"seconds\": %s, \"migrate_seconds\": %s, \"db_bytes\": %s, \"rows\": %s, \"bar_under_5s\": %s},\n", scale, rng_seed, num(seed_s), num(migrate_s), num(db_bytes), t_counts, (seed_s == "null" ? "null" : jbool(seed_s < 5)) > out
  printf "  \"tourneyd_peak_rss_kb\": %s,\n  \"tourneyd_rss_kb_max_sampled\": %s,\n  \"bar_rss_under_100mb\": %s,\n", num(hwm), num(rss_max), (rss_mb == "" ? "null" : jbool(rss_mb < 100)) > out
  printf "  \"django\": %s,\n", (has_dj ? sprintf("{\"setup\": \"sqlite (WAL), locmem cache, gunicorn -w 2 -k sync, DEBUG off\", \"seed_seconds\": %s, \"rows\": %s, \"state_cached\": %s}", num(d_seed_s), d_counts, stats_json(sk)) : "null") > out
  printf "  \"django_reference\": %s,\n", (djref == "" ? "null" : kvjson(djref)) > out
  printf "  \"organizer\": %s,\n", (org_info == "" ? "null" : kvjson(org_info)) > out
  tlcj = "null"
  if (tlc_info != "") {
    tlcj = kvjson(tlc_info); tsz = ""
    for (i = 1; i <= 2; i++) { e = (i == 1 ? "bracket_mix" : "standings_mix"); if (sbytes[e] == "") continue
      tsz = tsz (tsz == "" ? "" : ", ") sprintf("%s: {\"keys\": %s, \"min\": %s, \"median\": %s, \"max\": %s}", jstr(e), num(sn[e]), num(smin[e]), num(sbytes[e]), num(smax[e])) }
    tlcj = substr(tlcj, 1, length(tlcj) - 1) ", \"hot_answer_bytes\": " (tsz == "" ? "null" : "{" tsz "}") "}"
  }
  printf "  \"tlc_tournaments\": %s,\n", tlcj > out
  printf "  \"t64_tournaments\": %s,\n  \"leaderboard_ready\": %s,\n  \"django_leaderboard_data\": %s,\n", (t64_info == "" ? "null" : kvjson(t64_info)), (lb_info == "" ? "null" : kvjson(lb_info)), (d_lb_info == "" ? "null" : kvjson(d_lb_info)) > out
  printf "  \"register_setup\": %s,\n  \"register_final\": %s,\n", (reg_setup == "" ? "null" : kvjson(reg_setup)), (reg_final == "" ? "null" : kvjson(reg_final)) > out
  printf "  \"scale\": %s,\n", scj > out
  printf "  \"artillery\": " > out
  if (art_json != "") { while ((getline l < art_json) > 0) printf "%s\n", l > out; close(art_json); printf "  ,\n" > out } else printf "null,\n" > out
  printf "  \"me_skipped\": %s,\n  \"skipped\": [%s],\n  \"valid\": %s,\n  \"bars_met\": %s,\n", (" " skipped " " ~ / me / ? "true" : "false"), skj, jbool(!invalid), jbool(!barfail) > out
  printf "  \"issue_bars\": [%s],\n", bj > out
  printf "  \"endpoints\": [\n" > out
  for (i = 1; i <= nep; i++) printf "%s%s\n", R[i], (i < nep ? "," : "") > out
  printf "  ],\n  \"runs\": [\n" > out
  for (i = 1; i <= nraw; i++) {
    split(rawrow[i], f, "\t")
    printf "    {\"target\": %s, \"endpoint\": %s, \"pass\": %d, \"tries\": %d, \"connections\": %d, \"requests\": %d, \"rps\": %s, \"p50_ms\": %s, \"p90_ms\": %s, \"p99_ms\": %s, \"p999_ms\": %s, \"mean_ms\": %s, \"max_ms\": %s, \"non2xx\": %d, \"socket_errors\": %d, \"other_cpu_pct\": %d, \"server_cpu_pct\": %d, \"rss_kb\": %s, \"warmup_non2xx\": %d, \"drain_seconds\": %s%s%s%s}%s\n",
      jstr(f[1]), jstr(f[2]), f[3], f[4], f[19], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12], f[13], f[14], f[15], f[16], num(f[17]), f[18], num(f[21]),
      (f[22] == "" ? "" : sprintf(", \"cache_hits\": %d, \"cache_misses\": %d, \"cache_stale\": %d", f[22], f[23], f[24])),
      (f[26] == "" ? "" : sprintf(", \"rss_sampled_max_kb\": %s, \"hwm_kb\": %s", num(f[25]), num(f[26]))),
      (f[20] == "" ? "" : ", \"register\": " kvjson(f[20])), (i < nraw ? "," : "") > out
  }
  printf "  ]\n}\n" > out
  close(out)
  exit (invalid ? 1 : (strict && barfail ? 2 : 0))
}
