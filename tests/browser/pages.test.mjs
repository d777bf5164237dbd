// pages.test.mjs: tourneyd's web pages in a real browser (headless Debian Chromium driven
// by playwright-core). Starts its own tourneyd on a fresh temporary database
// ($TOURNEYD_BIN, default build/tourneyd), creates users, a game and tournaments through
// the API, then opens the hub and tournament pages and checks what a person sees: the
// listing with counts and status, details, participants, the bracket of each format,
// standings, escaping of hostile names, a phone-sized layout, the HTML 404, what the
// live script does with each message format (the socket played by the test), and finally
// that a result posted through the API shows up on an open page without a reload,
// through the server's own live WebSocket end to end. Screenshots go to
// tests/browser/artifacts/ (not committed).
//
// Run: make test-browser   (or: cd tests/browser && npm ci && node --test pages.test.mjs)
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, "..", "..");
const ARTIFACTS = path.join(HERE, "artifacts");
const BIN = path.resolve(REPO, process.env.TOURNEYD_BIN || "build/tourneyd");
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run"];
const ADMIN = { username: "root", password: "root-password-1" };
const PASSWORD = "player-password-1";
const LIVE_WAIT_MS = 5000;
const XSS_NAME = "<script>alert(1)</script>";
const XSS_DESCRIPTION = "<img src=x onerror=\"alert(2)\"> & 'quotes' \"too\"";

const uniq = (p) => p + Math.random().toString(16).slice(2, 10);
const inDays = (d) => new Date(Date.now() + d * 86400e3).toISOString().replace(/\.\d+Z$/, "Z");

// ---------------------------------------------------------------- the server

let work, proc, base, stderrPath, browser;

function cli(...args) {
  const input = args[0] === "user" ? ADMIN.password + "\n" : undefined;
  const r = spawnSync(BIN, args, { input, encoding: "utf8", timeout: 60000 });
  if (r.status !== 0)
    throw new Error(`${BIN} ${args.join(" ")} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startServer() {
  assert.ok(fs.existsSync(BIN), `tourneyd binary not found at ${BIN} (build it, or set TOURNEYD_BIN)`);
  work = fs.mkdtempSync(path.join(os.tmpdir(), "tourneyd-browser-"));
  const db = path.join(work, "tourneyd.db");
  cli("migrate", "up", "--db", db);
  cli("user", "create", "--admin", ADMIN.username, "--db", db);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  stderrPath = path.join(work, "serve.stderr");
  const err = fs.openSync(stderrPath, "a");
  proc = spawn(BIN, ["serve", "--db", db, "--listen", `127.0.0.1:${port}`, "--threads", "2",
    "--login-rate", "100000", "--log-level", "warn"], { stdio: ["ignore", "ignore", err] });
  const deadline = Date.now() + 10000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`tourneyd exited ${proc.exitCode}:\n${serverLog()}`);
    try {
      if ((await fetch(base + "/healthz")).ok) return;
    } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`tourneyd did not answer /healthz:\n${serverLog()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function serverLog() {
  try { return fs.readFileSync(stderrPath, "utf8").slice(-4000); } catch { return ""; }
}

async function stopServer() {
  if (!proc || proc.exitCode !== null) return;
  const exited = new Promise((resolve) => proc.once("exit", (code) => resolve(code)));
  proc.kill("SIGTERM");
  const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r("timeout"), 15000))]);
  if (code === "timeout") proc.kill("SIGKILL");
  assert.equal(code, 0, `tourneyd did not exit 0 on SIGTERM:\n${serverLog()}`);
  assert.ok(!/AddressSanitizer|runtime error:|LeakSanitizer/.test(serverLog()),
    `sanitizer report:\n${serverLog()}`);
}

// ---------------------------------------------------------------- the API

async function call(method, p, { token, body } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const r = await fetch(base + p, { method, headers,
    body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: r.status, json, text };
}

async function ok(method, p, opts, want = [200, 201]) {
  const r = await call(method, p, opts);
  assert.ok(want.includes(r.status), `${method} ${p} -> ${r.status}: ${r.text.slice(0, 500)}`);
  return r.json;
}

async function newUser(prefix, displayName) {
  const username = uniq(prefix);
  await ok("POST", "/api/v1/users", { body: { username, password: PASSWORD,
    display_name: displayName || username } });
  const login = await ok("POST", "/api/v1/auth/login", { body: { username, password: PASSWORD } });
  return { username, displayName: displayName || username, token: login.token };
}

async function move(org, slug, ...statuses) {
  for (const status of statuses)
    await ok("POST", `/api/v1/tournaments/${slug}/status`, { token: org.token, body: { status } });
}

// A free tournament of `org` that `players` entered in order, moved to `status`.
async function tournament(org, players, status, fields) {
  const t = await ok("POST", "/api/v1/tournaments", { token: org.token, body: {
    game: data.game.slug, participant_type: "solo", max_participants: Math.max(2, players.length),
    start_at: inDays(3), format: "single_elimination", ...fields } });
  if (status === "draft") return t;
  await move(org, t.slug, "published");
  if (status === "published") return t;
  await move(org, t.slug, "registration_open");
  for (const p of players)
    await ok("POST", `/api/v1/tournaments/${t.slug}/registrations`, { token: p.token });
  if (status === "registration_open") return t;
  await move(org, t.slug, "registration_closed");
  if (status === "live") await move(org, t.slug, "live");
  return t;
}

// ---------------------------------------------------------------- the browser

async function openPage(p, { viewport } = {}) {
  const context = await browser.newContext(viewport ? { viewport, isMobile: true,
    hasTouch: true, deviceScaleFactor: 2 } : { viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = { dialogs: [], csp: [], pageErrors: [] };
  page.on("dialog", async (d) => { problems.dialogs.push(d.message()); await d.dismiss(); });
  page.on("pageerror", (e) => problems.pageErrors.push(String(e)));
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) problems.csp.push(m.text());
  });
  const response = await page.goto(base + p, { waitUntil: "load" });
  return { context, page, response, problems };
}

const shot = (page, name) =>
  page.screenshot({ path: path.join(ARTIFACTS, name), fullPage: true });
const text = (page, sel) => page.locator(sel).first().textContent();

function noProblems(problems) {
  assert.deepEqual(problems.dialogs, [], "a script ran: an alert() was shown");
  assert.deepEqual(problems.pageErrors, [], "the page threw a JavaScript error");
  assert.deepEqual(problems.csp, [], "the Content-Security-Policy blocked something");
}

// ---------------------------------------------------------------- fixtures

const data = {};

before(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await startServer();
  const admin = await ok("POST", "/api/v1/auth/login", { body: ADMIN });
  data.game = await ok("POST", "/api/v1/games", { token: admin.token,
    body: { slug: uniq("game-"), name: "Browser Brawl" } });
  data.org = await newUser("org", "Olga Organizer");
  data.players = [];
  for (const name of ["Ada", "Brook", "Cyd", "Dee"]) data.players.push(await newUser("p", name));
  data.main = await tournament(data.org, data.players, "live",
    { name: "Browser Cup", description: "Four players, one champion." });
  data.de = await tournament(data.org, data.players, "live",
    { name: "Double Trouble", format: "double_elimination" });
  data.rr = await tournament(data.org, data.players, "live",
    { name: "Round Table", format: "round_robin" });
  data.open = await tournament(data.org, data.players.slice(0, 2), "registration_open",
    { name: "Open Doors", max_participants: 8 });
  data.xss = await tournament(data.org, [], "published",
    { name: XSS_NAME, description: XSS_DESCRIPTION });
  data.draft = await tournament(data.org, [], "draft", { name: "Secret Draft" });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  if (browser) await browser.close();
  await stopServer();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

// ---------------------------------------------------------------- tests

test("the hub lists published tournaments with status, registration state and counts", async () => {
  const { context, page, response, problems } = await openPage("/");
  assert.equal(response.status(), 200);
  assert.match(response.headers()["content-type"], /^text\/html; charset=utf-8/);
  const card = page.locator(`li.card[data-slug="${data.main.slug}"]`);
  assert.equal(await card.locator(".t-name").textContent(), "Browser Cup");
  assert.equal(await card.locator(".t-count").textContent(), "4 / 4");
  assert.equal(await card.locator(".badge.status-live").getAttribute("data-value"), "live");
  assert.equal(await card.locator(".t-game").textContent(), "Browser Brawl");
  const open = page.locator(`li.card[data-slug="${data.open.slug}"]`);
  assert.equal(await open.locator(".t-count").textContent(), "2 / 8");
  assert.equal(await open.locator(".badge.reg-open").textContent(), "Open");
  assert.equal(await page.locator(`li.card[data-slug="${data.draft.slug}"]`).count(), 0,
    "a draft is listed on the hub");
  assert.ok(await page.locator("time[datetime]").count() >= 5, "start times are shown");
  // the game filter keeps only that game's tournaments, and says which one is chosen
  await page.selectOption("#filter-game", data.game.slug);
  await Promise.all([page.waitForURL(/game=/), page.click("#filters button")]);
  assert.equal(await page.locator("#filter-game").inputValue(), data.game.slug);
  assert.equal(await page.locator("li.card").count(), 5);
  await page.selectOption("#filter-status", "live");
  await Promise.all([page.waitForURL(/status=live/), page.click("#filters button")]);
  assert.equal(await page.locator("li.card").count(), 3);
  noProblems(problems);
  await page.goto(base + "/");
  await shot(page, "hub-desktop.png");
  await context.close();
});

test("a hostile tournament name and description show as text and run nothing", async () => {
  const hub = await openPage("/");
  const card = hub.page.locator(`li.card[data-slug="${data.xss.slug}"]`);
  assert.equal(await card.locator(".t-name").textContent(), XSS_NAME);
  noProblems(hub.problems);
  await hub.context.close();
  const { context, page, response, problems } = await openPage(`/t/${data.xss.slug}`);
  assert.equal(response.status(), 200);
  assert.equal(await text(page, "#t-name"), XSS_NAME);
  assert.equal(await page.title(), `${XSS_NAME} · tourneyd`);
  assert.equal(await text(page, "#t-description"), XSS_DESCRIPTION);
  assert.equal(await page.locator("main img").count(), 0, "the description became an <img>");
  const scripts = await page.$$eval("script", (s) => s.map((x) => x.getAttribute("src")));
  assert.equal(scripts.length, 1, `scripts on the page: ${JSON.stringify(scripts)}`);
  assert.match(scripts[0], /^\/static\/live\.js\?v=[0-9a-f]{16}$/);
  await page.waitForTimeout(300);
  noProblems(problems);
  await shot(page, "xss-tournament.png");
  await context.close();
});

test("the tournament page shows details, state, participants, bracket and standings", async () => {
  const { context, page, response, problems } = await openPage(`/t/${data.main.slug}`);
  assert.equal(response.status(), 200);
  assert.equal(await text(page, "#t-name"), "Browser Cup");
  assert.equal(await text(page, "#t-description"), "Four players, one champion.");
  assert.equal(await text(page, "#t-game"), "Browser Brawl");
  assert.equal(await text(page, "#t-organizer"), "Olga Organizer");
  assert.equal(await page.getAttribute("#state-status", "data-value"), "live");
  assert.equal(await text(page, "#state-status"), "Live");
  assert.equal(await text(page, "#state-count"), "4");
  assert.equal(await text(page, "#state-max"), "4");
  assert.equal(await text(page, "#state-round"), "1");
  const names = await page.$$eval("#participant-list li .name", (els) => els.map((e) => e.textContent));
  assert.deepEqual(names, ["Ada", "Brook", "Cyd", "Dee"]);
  // 4 players, single elimination: two semifinals then the final
  assert.equal(await page.locator('#bracket .part[data-bracket="winners"] .match').count(), 3);
  assert.deepEqual(await page.$$eval("#bracket h4", (h) => h.map((e) => e.textContent)),
    ["Semifinals", "Final"]);
  const first = page.locator('#bracket .round[data-round="1"] .match').first();
  assert.deepEqual(await first.locator(".side .name").allTextContents(), ["Ada", "Dee"]);
  assert.equal(await first.getAttribute("data-state"), "ready");
  assert.equal(await page.locator("#standings-body tr").count(), 4);
  assert.equal(await page.locator("#standings-empty").isHidden(), true);
  noProblems(problems);
  await shot(page, "tournament-desktop.png");
  await context.close();
});

test("double elimination and round robin are drawn in their own shapes", async () => {
  const de = await openPage(`/t/${data.de.slug}`);
  for (const part of ["winners", "losers", "grand_final"])
    assert.equal(await de.page.locator(`#bracket .part[data-bracket="${part}"]`).count(), 1,
      `no ${part} section`);
  assert.deepEqual(await de.page.$$eval("#bracket h3", (h) => h.map((e) => e.textContent)),
    ["Winners bracket", "Losers bracket", "Grand final"]);
  noProblems(de.problems);
  await shot(de.page, "double-elimination.png");
  await de.context.close();
  const rr = await openPage(`/t/${data.rr.slug}`);
  assert.equal(await rr.page.locator("#cross-table tbody tr").count(), 4);
  // 6 matches, each in two cells of the table and once in its round
  assert.equal(await rr.page.locator("#cross-table [data-match-id]").count(), 12);
  assert.equal(await rr.page.locator('#bracket .part[data-bracket="group"] .match').count(), 6);
  noProblems(rr.problems);
  await shot(rr.page, "round-robin.png");
  await rr.context.close();
});

test("pages are readable on a phone", async () => {
  for (const [p, name] of [["/", "hub-phone.png"], [`/t/${data.main.slug}`, "tournament-phone.png"]]) {
    const { context, page, problems } = await openPage(p, { viewport: { width: 390, height: 844 } });
    const widths = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth,
      view: window.innerWidth }));
    assert.ok(widths.doc <= widths.view + 1,
      `${p} is wider than the phone: ${widths.doc}px > ${widths.view}px`);
    assert.ok(await page.locator('meta[name="viewport"]').count() === 1);
    noProblems(problems);
    await shot(page, name);
    await context.close();
  }
});

test("unknown and draft tournaments are an HTML 404 page", async () => {
  for (const slug of ["no-such-tournament", data.draft.slug]) {
    const { context, page, response } = await openPage(`/t/${slug}`);
    assert.equal(response.status(), 404);
    assert.match(response.headers()["content-type"], /^text\/html/);
    assert.equal(await text(page, "h1"), "Tournament not found");
    await context.close();
  }
});

// live.js against the message formats of API.md "Live updates", with the socket played by
// the test (playwright's routeWebSocket): the messages carry the server's real answers of
// GET /matches/{id} and GET .../state after a real result. This checks the page's side
// only; the next test checks the whole path through the server's own socket.
test("live.js applies state and match messages to the page (socket played by the test)", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  let socket = null;
  await page.routeWebSocket(/\/api\/v1\/tournaments\/[^/]+\/live$/, (ws) => { socket = ws; });
  await page.goto(`${base}/t/${data.rr.slug}`);
  await page.waitForFunction(() => document.body.getAttribute("data-live") === "open", null,
    { timeout: 5000 });
  assert.match(await page.url(), new RegExp(`/t/${data.rr.slug}$`));
  await page.evaluate(() => { window.__notReloaded = true; });
  const bracket = await ok("GET", `/api/v1/tournaments/${data.rr.slug}/bracket`);
  const m = bracket.brackets[0].rounds[0].matches[0];
  await ok("POST", `/api/v1/matches/${m.id}/result`, { token: data.org.token,
    body: { score1: 0, score2: 2 } });
  const match = await ok("GET", `/api/v1/matches/${m.id}`);
  const state = await ok("GET", `/api/v1/tournaments/${data.rr.slug}/state`);
  socket.send(JSON.stringify({ type: "match", data: match }));
  socket.send(JSON.stringify({ type: "state", data: state }));
  await page.waitForFunction(([id, v]) => {
    const box = document.getElementById("match-" + id);
    return box.getAttribute("data-state") === "completed" &&
      document.getElementById("state-version").textContent === String(v);
  }, [m.id, state.version], { timeout: 3000 });
  const box = page.locator(`#match-${m.id}`);
  assert.deepEqual(await box.locator(".score").allTextContents(), ["0", "2"]);
  assert.equal(await box.locator(".side.winner .name").textContent(), m.participant2.name);
  assert.equal(await box.locator(".side.loser .name").textContent(), m.participant1.name);
  // both cells of the cross table, each from its row player's side
  const cells = await page.$$eval(`#cross-table [data-match-id="${m.id}"]`,
    (els) => els.map((e) => [e.getAttribute("data-side"), e.textContent, e.className]));
  assert.deepEqual(cells.sort(), [["1", "0-2", "rr loss"], ["2", "2-0", "rr win"]]);
  // the standings were fetched again: the winner is first with one win
  await page.waitForFunction((name) => {
    const tr = document.querySelector("#standings-body tr");
    return tr && tr.querySelector(".name").textContent === name &&
      tr.querySelector(".wins").textContent === "1";
  }, m.participant2.name, { timeout: 3000 });
  assert.equal(await page.evaluate(() => window.__notReloaded), true);
  assert.deepEqual(errors, []);
  await shot(page, "round-robin-live-simulated.png");
  await context.close();
});

test("live.js refreshes the participants after a state message (socket played by the test)", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  let socket = null;
  await page.routeWebSocket(/\/live$/, (ws) => { socket = ws; });
  await page.goto(`${base}/t/${data.open.slug}`);
  await page.waitForFunction(() => document.body.getAttribute("data-live") === "open", null,
    { timeout: 5000 });
  assert.equal(await page.locator("#participant-list li").count(), 2);
  await ok("POST", `/api/v1/tournaments/${data.open.slug}/registrations`,
    { token: data.players[2].token });
  socket.send(JSON.stringify({ type: "state",
    data: await ok("GET", `/api/v1/tournaments/${data.open.slug}/state`) }));
  await page.waitForFunction(() => document.querySelectorAll("#participant-list li").length === 3,
    null, { timeout: 3000 });
  assert.equal(await text(page, "#state-count"), "3");
  assert.equal(await text(page, "#state-spots"), "5");
  assert.deepEqual(await page.locator("#participant-list .name").allTextContents(),
    ["Ada", "Brook", "Cyd"]);
  await context.close();
});

test("a result posted through the API appears on the open page without a reload", async () => {
  const { context, page, problems } = await openPage(`/t/${data.main.slug}`);
  await page.evaluate(() => { window.__notReloaded = true; });
  const bracket = await ok("GET", `/api/v1/tournaments/${data.main.slug}/bracket`);
  const match = bracket.brackets[0].rounds[0].matches.find((m) => m.state === "ready");
  assert.ok(match, "no ready match to report");
  // give the socket a moment to open, as a spectator's page would have
  await page.waitForFunction(() => document.body.getAttribute("data-live") !== null, null,
    { timeout: 2000 }).catch(() => {});
  await page.waitForTimeout(500);
  await ok("POST", `/api/v1/matches/${match.id}/result`, { token: data.org.token,
    body: { score1: 3, score2: 1 } });
  const box = `#match-${match.id}`;
  const shown = await page.waitForFunction((sel) => {
    const el = document.querySelector(sel);
    if (!el) return false;
    const w = el.querySelector(".side.winner .name");
    return el.getAttribute("data-state") === "completed" &&
      el.querySelector('.side[data-slot="1"] .score').textContent === "3" &&
      el.querySelector('.side[data-slot="2"] .score').textContent === "1" && w && w.textContent;
  }, box, { timeout: LIVE_WAIT_MS }).then(() => true, () => false);
  if (!shown) {
    await shot(page, "live-update-failed.png");
    const liveState = await page.evaluate(() => document.body.getAttribute("data-live"));
    const probe = await fetch(`${base}/api/v1/tournaments/${data.main.slug}/live`);
    await context.close();
    assert.fail(`the page did not show the result of match ${match.id} (3-1, winner ` +
      `${match.participant1.name}) within ${LIVE_WAIT_MS / 1000} s without reloading. ` +
      `The page's live socket state: ${liveState}. ` +
      `GET /api/v1/tournaments/${data.main.slug}/live answered ${probe.status}` +
      (probe.status === 404 ? ": this build has no WebSocket endpoint yet (issue 6's live " +
        "updates), so nothing tells the page about the result." : "."));
  }
  assert.equal(await text(page, `${box} .side.winner .name`), match.participant1.name);
  assert.equal(await page.evaluate(() => window.__notReloaded), true, "the page was reloaded");
  // the standings follow: the winner has a win
  await page.waitForFunction((name) => [...document.querySelectorAll("#standings-body tr")]
    .some((tr) => tr.querySelector(".name").textContent === name &&
      tr.querySelector(".wins").textContent === "1"), match.participant1.name,
  { timeout: LIVE_WAIT_MS });
  noProblems(problems);
  await shot(page, "tournament-after-result.png");
  await context.close();
});

test("the last result names the champion on the open page without a reload", async () => {
  // its own two-player tournament (made here, so the hub's counts above do not see it)
  data.final = await tournament(data.org, data.players.slice(0, 2), "live",
    { name: "Final Showdown" });
  const { context, page, problems } = await openPage(`/t/${data.final.slug}`);
  await page.evaluate(() => { window.__notReloaded = true; });
  assert.equal(await page.locator("#champion").count(), 0, "a live tournament has no champion");
  const bracket = await ok("GET", `/api/v1/tournaments/${data.final.slug}/bracket`);
  const final = bracket.brackets[0].rounds[0].matches[0];
  assert.equal(final.state, "ready");
  await page.waitForFunction(() => document.body.getAttribute("data-live") === "open", null,
    { timeout: LIVE_WAIT_MS }).catch(() => {});
  // the second seed wins the only match: the tournament completes with it
  await ok("POST", `/api/v1/matches/${final.id}/result`, { token: data.org.token,
    body: { score1: 0, score2: 2 } });
  const shown = await page.waitForFunction((name) => {
    const c = document.querySelector("#champion strong");
    const s = document.querySelector("#state-status");
    return c && c.textContent === name && s && s.getAttribute("data-value") === "completed";
  }, final.participant2.name, { timeout: LIVE_WAIT_MS }).then(() => true, () => false);
  if (!shown) await shot(page, "champion-failed.png");
  assert.ok(shown, `the page did not name ${final.participant2.name} champion within ` +
    `${LIVE_WAIT_MS / 1000} s without reloading`);
  assert.equal(await page.evaluate(() => window.__notReloaded), true, "the page was reloaded");
  noProblems(problems);
  await shot(page, "tournament-champion.png");
  await context.close();
});
