// Hooks of bench/artillery.yml: figures per phase.
//
// artillery's own http.* metrics cover the whole run. To report each phase on its own, every
// virtual user is tagged with the phase it arrived in, and its responses and errors are
// recorded again under phase.<name>.*:
//   phase.<name>.response_time   histogram, ms to first byte (what http.response_time measures)
//   phase.<name>.responses       counter, every response
//   phase.<name>.non2xx          counter, responses with a status outside 200..299
//   phase.<name>.codes.<status>  counter per status
//   phase.<name>.errors          counter, requests that got no response (timeout, reset, ...)
//   phase.<name>.errors.<code>   counter per error code
// bench/artillery.sh reads them from the JSON report (aggregate.summaries / .counters).
//
// The phase of a user comes from its arrival time, counted from the first arrival in this
// worker, and from variables.phase_plan ("name:seconds,..." in the order of config.phases).
// A pause between two phases is split in its middle, which absorbs the few hundred
// milliseconds between the test's start and the first arrival. Users of the phase before a
// pause make their last requests during the pause (a user lives about 3 s), so a pause
// longer than a user's life keeps one phase's requests out of the next one's load.
'use strict';

let origin = null;
let plan = null;

function parsePlan(text) {
  const phases = [];
  let t = 0;
  for (const part of String(text || '').split(',')) {
    const m = part.trim().match(/^([A-Za-z0-9_-]+):([0-9.]+)$/);
    if (!m) continue;
    const secs = Number(m[2]);
    phases.push({ name: m[1], start: t, end: t + secs, pause: m[1] === 'pause' });
    t += secs;
  }
  return phases;
}

function phaseAt(seconds) {
  if (!plan || plan.length === 0) return 'all';
  for (let i = 0; i < plan.length; i++) {
    const p = plan[i];
    if (seconds >= p.end && i < plan.length - 1) continue;
    if (!p.pause) return p.name;
    // inside a pause: the first half belongs to the phase before, the second to the one after
    const before = plan.slice(0, i).reverse().find((q) => !q.pause);
    const after = plan.slice(i + 1).find((q) => !q.pause);
    if (seconds < (p.start + p.end) / 2) return (before || after || p).name;
    return (after || before || p).name;
  }
  return plan[plan.length - 1].name;
}

// beforeScenario: tag the user with its phase
function tagPhase(context, events, done) {
  const now = Date.now();
  if (origin === null) origin = now;
  if (plan === null) plan = parsePlan(context.vars.phase_plan);
  context.vars.bench_phase = phaseAt((now - origin) / 1000);
  return done();
}

// afterResponse: the response again under its user's phase
function recordResponse(req, res, context, events, done) {
  const p = 'phase.' + (context.vars.bench_phase || 'all');
  const code = res.statusCode;
  events.emit('counter', p + '.responses', 1);
  events.emit('counter', p + '.codes.' + code, 1);
  if (code < 200 || code > 299) events.emit('counter', p + '.non2xx', 1);
  if (res.timings && res.timings.phases) events.emit('histogram', p + '.response_time', res.timings.phases.firstByte);
  return done();
}

// onError: a request without a response (artillery then ends that user's scenario)
function recordError(err, req, context, events, done) {
  const p = 'phase.' + (context.vars.bench_phase || 'all');
  events.emit('counter', p + '.errors', 1);
  events.emit('counter', p + '.errors.' + String((err && (err.code || err.name)) || 'unknown'), 1);
  return done();
}

module.exports = { tagPhase, recordResponse, recordError, _test: { parsePlan, phaseAt: (s, pl) => { plan = parsePlan(pl); return phaseAt(s); } } };
