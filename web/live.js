/* live.js: keeps a tournament page (/t/{slug}) current without reloading it.
   Subscribes to ws(s)://host/api/v1/tournaments/{slug}/live, whose messages are
   {"type":"state","data":<GET .../state>} and {"type":"match","data":<GET /matches/{id}>}:
   a state updates the #state block, a match updates its boxes in the bracket (and its
   cells of the round-robin table), then the standings are fetched again. What a message
   cannot patch in place (a bracket drawn at the start, a new Swiss round, a new
   registration, the champion of a tournament that completes) is refreshed by fetching this page and swapping those sections. The
   socket reconnects with backoff. Data is only ever written with textContent. */
(function () {
  "use strict";
  var body = document.body;
  var slug = body.getAttribute("data-slug");
  if (!slug || !("WebSocket" in window)) return;
  var api = "/api/v1/tournaments/" + encodeURIComponent(slug);
  var STATUS = { draft: "Draft", published: "Published", registration_open: "Registration open",
    registration_closed: "Registration closed", live: "Live", completed: "Completed",
    cancelled: "Cancelled" };
  var REG = { not_open: "Not open yet", open: "Open", full: "Full", closed: "Closed" };
  var $ = function (id) { return document.getElementById(id); };
  var timers = {};
  var later = function (name, ms, fn) {
    clearTimeout(timers[name]);
    timers[name] = setTimeout(fn, ms);
  };

  function note(state, text) {
    body.setAttribute("data-live", state);
    var el = $("live-status");
    if (el) { el.setAttribute("data-live", state); el.textContent = text; }
  }

  function setText(id, v) { var el = $(id); if (el) el.textContent = v == null ? "" : String(v); }
  function setBadge(id, value, label) {
    var el = $(id);
    if (!el) return;
    el.className = "badge " + (id === "state-status" ? "status-" : "reg-") + value;
    el.setAttribute("data-value", value);
    el.textContent = label || value;
  }

  function applyState(s) {
    var box = $("state");
    if (!box) return;
    var before = { status: $("state-status") && $("state-status").getAttribute("data-value"),
      count: $("state-count") && $("state-count").textContent };
    setBadge("state-status", s.status, STATUS[s.status]);
    setBadge("state-registration", s.registration_state, REG[s.registration_state]);
    setText("state-count", s.registration_count);
    setText("state-max", s.max_participants);
    setText("state-spots", s.spots_left);
    setText("state-confirmed", s.confirmed_count);
    setText("state-checked-in", s.checked_in_count);
    setText("state-round", s.current_round);
    setText("state-version", s.version);
    box.setAttribute("data-version", s.version);
    if (before.status !== s.status || before.count !== String(s.registration_count))
      later("sections", 250, refreshSections);
  }

  function fillSide(el, p, score, m) {
    var done = m.state === "completed";
    var won = !!(p && m.winner && m.winner.registration_id === p.registration_id);
    el.setAttribute("data-registration-id", p ? p.registration_id : 0);
    el.querySelector(".seed").textContent = p && p.seed ? p.seed : "";
    el.querySelector(".name").textContent = p ? p.name : (done ? "bye" : "TBD");
    el.querySelector(".score").textContent = score == null ? "" : score;
    el.classList.toggle("winner", won);
    el.classList.toggle("loser", !!(p && done && m.winner && !won));
    el.classList.toggle("empty", !p);
  }

  function applyMatch(m) {
    var els = document.querySelectorAll('[data-match-id="' + m.id + '"]');
    if (!els.length) { later("sections", 250, refreshSections); return; }
    Array.prototype.forEach.call(els, function (el) {
      if (el.classList.contains("rr")) {
        var mine = el.getAttribute("data-side") === "1" ? m.score1 : m.score2;
        var theirs = el.getAttribute("data-side") === "1" ? m.score2 : m.score1;
        el.textContent = mine == null ? "\u00b7" : mine + "-" + theirs;
        el.className = "rr" + (m.state !== "completed" || mine == null ? "" :
          mine > theirs ? " win" : mine < theirs ? " loss" : " draw");
        return;
      }
      el.setAttribute("data-state", m.state);
      var sides = el.querySelectorAll(".side");
      if (sides.length === 2) {
        fillSide(sides[0], m.participant1, m.score1, m);
        fillSide(sides[1], m.participant2, m.score2, m);
      }
      el.classList.remove("updated");
      void el.offsetWidth; /* restart the highlight */
      el.classList.add("updated");
    });
    later("standings", 200, refreshStandings);
  }

  function cell(tr, text, cls) {
    var td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
  }

  function refreshStandings() {
    fetch(api + "/standings", { cache: "no-store" }).then(function (r) {
      if (!r.ok) throw new Error("standings: " + r.status);
      return r.json();
    }).then(function (st) {
      var tbody = $("standings-body");
      if (!tbody) return;
      var rows = document.createDocumentFragment();
      st.items.forEach(function (it) {
        var tr = document.createElement("tr");
        tr.setAttribute("data-registration-id", it.participant.registration_id);
        cell(tr, it.rank, "rank");
        cell(tr, it.participant.name, "name");
        cell(tr, it.played);
        cell(tr, it.wins, "wins");
        cell(tr, it.draws);
        cell(tr, it.losses);
        cell(tr, it.points, "points");
        cell(tr, it.score_for + ":" + it.score_against);
        rows.appendChild(tr);
      });
      tbody.replaceChildren(rows);
      var empty = $("standings-empty");
      if (empty) empty.hidden = st.items.length > 0;
    }).catch(function () { later("standings", 3000, refreshStandings); });
  }

  /* sections whose shape can change: fetched from this very page and swapped in */
  function refreshSections() {
    fetch(location.pathname, { cache: "no-store" }).then(function (r) {
      if (!r.ok) throw new Error("page: " + r.status);
      return r.text();
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      ["bracket", "standings", "participants"].forEach(function (id) {
        var now = $(id), fresh = doc.getElementById(id);
        if (now && fresh) now.replaceWith(document.importNode(fresh, true));
      });
    }).catch(function () { later("sections", 3000, refreshSections); });
  }

  var delay = 1000, opened = 0;
  function connect() {
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + api + "/live";
    var ws;
    try { ws = new WebSocket(url); } catch (e) { return retry(); }
    note("connecting", "Connecting to live updates\u2026");
    ws.onopen = function () {
      delay = 1000;
      note("open", "Live: this page updates by itself.");
      if (opened++) later("sections", 0, refreshSections); /* catch up after a gap */
    };
    ws.onmessage = function (ev) {
      var msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      if (!msg || !msg.data) return;
      if (msg.type === "state") applyState(msg.data);
      else if (msg.type === "match") applyMatch(msg.data);
    };
    ws.onclose = function () { retry(); };
  }
  function retry() {
    note("closed", "Live updates paused; retrying in " + Math.round(delay / 1000) + " s.");
    setTimeout(connect, delay);
    delay = Math.min(delay * 2, 30000);
  }
  connect();
})();
