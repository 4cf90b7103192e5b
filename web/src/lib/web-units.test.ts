// Unit tests of the dashboard's pure parts (run by the README's test command with the server's tests).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reconnectDelayMs } from './backoff.ts';
import { formatAgoMs, formatBytes, formatDurationMs, formatTimeMs } from './format.ts';
import { parseWallSize, wallCameras, wallColumns } from './wall.ts';
import { MARGIN_S, MAX_DELAY_S, MAX_RATE_CHANGE, MIN_DELAY_S, PlayoutDelay } from '../live/playout.ts';

test('durations, sizes and times are formatted for people', () => {
  assert.equal(formatDurationMs(850), '850 ms');
  assert.equal(formatDurationMs(12_340), '12 s');
  assert.equal(formatDurationMs(4_300), '4.3 s');
  assert.equal(formatDurationMs(245_000), '4 min 05 s');
  assert.equal(formatDurationMs(7_380_000), '2 h 03 min');
  assert.equal(formatDurationMs(-1), '–');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.50 KB');
  assert.equal(formatBytes(20 * 1024 * 1024), '20.0 MB');
  assert.equal(formatBytes(1.25 * 1024 ** 3), '1.25 GB');
  const now = Date.UTC(2026, 11, 7, 12, 0, 0);
  assert.equal(formatTimeMs(now - 3_600_000, now, 'en-GB', 'UTC'), '11:00:00');
  assert.equal(formatTimeMs(now - 86_400_000, now, 'en-GB', 'UTC'), '06/12/2026 12:00:00');
  assert.equal(formatAgoMs(now - 2000, now), 'just now');
  assert.equal(formatAgoMs(now - 42_000, now), '42 s ago');
  assert.equal(formatAgoMs(now - 300_000, now), '5 min ago');
});

test('the live wall keeps chosen cameras first, drops unknown ones and never exceeds its size', () => {
  const all = ['a', 'b', 'c', 'd', 'e'];
  assert.deepEqual(wallCameras(4, all, ['d', 'x', 'b', 'd']), ['d', 'b', 'a', 'c']);
  assert.deepEqual(wallCameras(1, all, []), ['a']);
  assert.deepEqual(wallCameras(9, all, ['e']), ['e', 'a', 'b', 'c', 'd']);
  assert.deepEqual(wallCameras(4, [], ['a']), []);
  assert.deepEqual([1, 4, 9, 16].map((n) => wallColumns(n as 1)), [1, 2, 3, 4]);
  assert.equal(parseWallSize('9', 2), 9);
  assert.equal(parseWallSize('7', 2), 4);
  assert.equal(parseWallSize(null, 1), 1);
  assert.equal(parseWallSize(null, 12), 16);
  assert.equal(parseWallSize(null, 40), 16);
});

test('reconnect delays double from half a second to the cap, with bounded jitter', () => {
  assert.equal(reconnectDelayMs(0, 1), 500);
  assert.equal(reconnectDelayMs(3, 1), 4000);
  assert.equal(reconnectDelayMs(10, 1), 10_000);
  assert.equal(reconnectDelayMs(0, 0), 400);
  assert.ok(reconnectDelayMs(2, 0.5) >= 1600 && reconnectDelayMs(2, 0.5) <= 2000);
});

test('zone and line editing: snapping, moves, polygon and line checks, undo and redo', async () => {
  const g = await import('./geometry-edit.ts');
  assert.deepEqual(g.snapPoint([0.51, 0.49], [[0.5, 0.5]], 0.02), [0.5, 0.5], 'to a nearby vertex');
  assert.deepEqual(g.snapPoint([0.01, 0.3], [], 0.02), [0, 0.3], 'to the frame edge, per axis');
  assert.deepEqual(g.snapPoint([0.3, 0.995], [], 0.02), [0.3, 1]);
  assert.deepEqual(g.snapPoint([0.3, 0.4], [[0.9, 0.9]], 0.02), [0.3, 0.4], 'nothing near: unchanged');
  assert.deepEqual(g.clampPoint([-0.2, 1.00004]), [0, 1]);
  assert.equal(g.hitVertex([[0, 0], [0.5, 0.5]], [0.51, 0.5], 0.02), 1);
  assert.equal(g.hitVertex([[0, 0], [0.5, 0.5]], [0.2, 0.2], 0.02), -1);
  assert.deepEqual(g.moveVertex([[0, 0], [0.5, 0.5]], 0, [0.1, -1]), [[0.1, 0], [0.5, 0.5]]);
  assert.equal(g.polygonProblem([[0, 0], [1, 0], [1, 1], [0, 1]]), null);
  assert.match(g.polygonProblem([[0, 0], [1, 0]])!.message, /at least 3 points/);
  const bow = g.polygonProblem([[0, 0], [1, 1], [1, 0], [0, 1]])!;
  assert.match(bow.message, /cross/);
  assert.deepEqual(bow.vertices, [0, 1, 2, 3]);
  assert.match(g.polygonProblem([[0, 0], [0.5, 0.5], [1, 1]])!.message, /no area/);
  assert.match(g.polygonProblem([[0, 0], [1, 0], [0, 0]])!.message, /same/);
  assert.equal(g.lineProblem([[0, 0], [1, 1]]), null);
  assert.match(g.lineProblem([[0, 0], [0.001, 0]])!, /too short/);
  const h = new g.History<number[]>([]);
  h.push([1]);
  h.push([1, 2]);
  assert.deepEqual(h.undo(), [1]);
  assert.deepEqual(h.redo(), [1, 2]);
  h.undo();
  h.push([1, 3]);
  assert.equal(h.canRedo, false, 'a new edit drops the redo branch');
  assert.deepEqual(h.undo(), [1]);
  assert.deepEqual(h.undo(), []);
  assert.deepEqual(h.undo(), [], 'undo past the start stays at the start');
});

test('the overlay drawn on a presented frame is that frame\'s analysis, held until the next analysed frame', async () => {
  const o = await import('../live/overlay.ts');
  const m = (pts: number) => ({ pts, width: 10, height: 10, tracks: [] });
  const msgs = [m(1.0), m(1.2), m(1.4)];
  assert.equal(o.messageForFrame(msgs, 1.2, 1 / 30, 1)?.pts, 1.2, 'the frame itself');
  assert.equal(o.messageForFrame(msgs, 1.266, 1 / 30, 1)?.pts, 1.2, 'a frame between analysed ones keeps the last boxes');
  assert.equal(o.messageForFrame(msgs, 1.39, 1 / 30, 1)?.pts, 1.4, 'within half a frame of an analysed frame: that analysis');
  assert.equal(o.messageForFrame(msgs, 1.35, 1 / 30, 1)?.pts, 1.2, 'a later frame\'s boxes are never drawn early');
  assert.equal(o.messageForFrame(msgs, 0.5, 1 / 30, 1), null, 'before any analysis');
  assert.equal(o.messageForFrame(msgs, 3, 1 / 30, 1), null, 'held at most holdS');
  const g = await import('./geometry-edit.ts');
  const [[mx, my], [tx, ty]] = g.inTickNorm([0, 0], [1, 0], 'right', 10, 10, 5);
  assert.deepEqual([mx, my, tx, ty], [5, 0, 5, 5], 'right of a left-to-right line on an image is down');
  const [, [lx, ly]] = g.inTickNorm([0, 0], [1, 0], 'left', 10, 10, 5);
  assert.deepEqual([lx, ly], [5, -5]);
});

test('rule forms: defaults per type, validation with the field named, the rule sent, server errors placed on their field', async () => {
  const f = await import('./rule-form.ts');
  const fresh = f.formValues(null, 'dwell');
  assert.equal(fresh.severity, 'warning');
  const missing = f.RuleFormSchema.safeParse({ ...fresh, id: 'loiter' });
  assert.equal(missing.success, false);
  const paths = missing.success ? [] : missing.error.issues.map((i) => i.path.join('.'));
  assert.deepEqual(paths.sort(), ['seconds', 'zone']);
  const ok = f.RuleFormSchema.parse({ ...fresh, id: 'loiter', zone: 'door', seconds: '30', objects: 'person, car' });
  assert.deepEqual(f.ruleFromForm(ok, null), { type: 'dwell', id: 'loiter', severity: 'warning', objects: ['person', 'car'], zone: 'door', seconds: 30 });
  const stored = { type: 'dwell', id: 'loiter', zone: 'door', seconds: 10, toleranceSeconds: 4, anchor: 'bottom' };
  const edited = f.RuleFormSchema.parse({ ...f.formValues(stored), seconds: '45' });
  assert.deepEqual(f.ruleFromForm(edited, stored), { type: 'dwell', id: 'loiter', severity: 'warning', zone: 'door', seconds: 45, toleranceSeconds: 4, anchor: 'bottom' }, 'fields the form does not show are kept');
  const line = f.RuleFormSchema.parse({ ...f.formValues(null, 'line'), id: 'door-count', line: 'door', emit: 'count' });
  assert.deepEqual(f.ruleFromForm(line, null), { type: 'line', id: 'door-count', severity: 'info', line: 'door', emit: 'count' });
  assert.equal(f.RuleFormSchema.safeParse({ ...f.formValues(null, 'occupancy'), id: 'crowd', zone: 'hall' }).success, false, 'occupancy needs a limit');
  assert.equal(f.RuleFormSchema.safeParse({ ...f.formValues(null), id: 'bad id!', zone: 'a' }).success, false);
  assert.equal(f.fieldOfServerError('body.zone: no zone "x" on camera street'), 'zone');
  assert.equal(f.fieldOfServerError('something else'), null);
});

test('recordings timeline: day bounds across a clock change, positions, merged spans, the segment at a time', async () => {
  const t = await import('./timeline.ts');
  const utc = () => 0;
  assert.deepEqual(t.dayBounds('2026-12-07', utc), { fromMs: Date.UTC(2026, 11, 7), toMs: Date.UTC(2026, 11, 8) });
  // A day when clocks go forward (UTC+1 -> UTC+2; Date's offset sign: -60 -> -120) lasts 23 hours.
  const cest = (ms: number) => (ms >= Date.UTC(2026, 2, 29, 1) ? -120 : -60);
  const spring = t.dayBounds('2026-03-29', cest);
  assert.equal((spring.toMs - spring.fromMs) / 3_600_000, 23);
  const day = t.dayBounds('2026-12-07', utc);
  assert.equal(t.xOfTime(day.fromMs + t.DAY_MS / 2, day.fromMs, day.toMs, 1000), 500);
  assert.equal(t.xOfTime(day.fromMs - 5, day.fromMs, day.toMs, 1000), 0, 'clamped');
  assert.equal(t.timeOfX(250, day.fromMs, day.toMs, 1000), day.fromMs + t.DAY_MS / 4);
  const s = (a: number, b: number) => ({ startMs: day.fromMs + a * 1000, endMs: day.fromMs + b * 1000 });
  assert.deepEqual(t.mergeSpans([s(20, 30), s(0, 10), s(10.5, 19), s(100, 110)], day.fromMs, day.toMs, 2000), [s(0, 30), s(100, 110)]);
  assert.deepEqual(t.mergeSpans([{ startMs: day.fromMs - 5000, endMs: day.fromMs + 5000 }], day.fromMs, day.toMs, 0), [s(0, 5)], 'clipped to the day');
  const segs = [s(0, 10), s(20, 30)];
  assert.deepEqual(t.segmentAt(segs, day.fromMs + 25_000), { segment: segs[1], offsetS: 5 });
  assert.deepEqual(t.segmentAt(segs, day.fromMs + 15_000), { segment: segs[1], offsetS: 0 }, 'a gap plays on from the next segment');
  assert.equal(t.segmentAt(segs, day.fromMs + 40_000), null);
  assert.deepEqual(t.hourTicks(day.fromMs, day.toMs, 240, 6).map((x) => [x.x, x.label]), [[0, '00'], [60, '06'], [120, '12'], [180, '18'], [240, '00']]);
});

test('CSV export quotes what needs quoting and never starts a cell with a formula', async () => {
  const c = await import('./csv.ts');
  assert.equal(c.toCsv(['time', 'zone', 'mean'], [[c.isoTime(0), 'hall, east', 1.5], ['x', 'say "hi"', null], ['y', '=SUM(A1)', Number.NaN]]),
    'time,zone,mean\r\n1970-01-01T00:00:00.000Z,"hall, east",1.5\r\nx,"say ""hi""",\r\ny,\'=SUM(A1),\r\n');
});

test('the live video plays as far behind the live edge as the analysis arrives late, within bounds', () => {
  const p = new PlayoutDelay();
  assert.equal(p.targetS(0), MIN_DELAY_S, 'no analysis: at the live edge (the minimum buffer)');
  // Analysis of the frame at 10.0 s arrives when the video has reached 10.3 s; then of 10.1 at 10.35.
  p.analysisArrived(100, 10.0, 10.3);
  p.analysisArrived(100.1, 10.1, 10.35);
  assert.ok(Math.abs(p.targetS(100.1) - (0.3 + MARGIN_S)) < 1e-9, 'the largest recent lag plus a margin');
  assert.equal(p.targetS(106), MIN_DELAY_S, 'lags older than the window are forgotten');
  // Far off the target: a jump; near it: a rate, faster when behind, slower when ahead, bounded.
  const far = p.steer(100.2, 5, 10.35);
  assert.ok(far.rate === 1 && Math.abs(far.seekToS! - 10) < 1e-9, `jump to 10.0: ${JSON.stringify(far)}`);
  const behind = p.steer(100.2, 10.35 - 0.35 - 0.05, 10.35);
  assert.equal(behind.seekToS, null);
  assert.ok(behind.rate > 1 && behind.rate <= 1 + MAX_RATE_CHANGE, `rate ${behind.rate}`);
  assert.ok(p.steer(100.2, 10.35 - 0.2, 10.35).rate < 1, 'too close to the edge: slower');
  p.analysisArrived(101, 10, 20);
  assert.equal(p.targetS(101), MAX_DELAY_S, 'the delay is capped');
});

test('events timeline: bars scaled to the largest count, ticks on local whole hours', async () => {
  const t = await import('./timeline.ts');
  assert.deepEqual(t.histogramBars([0, 1, 4], 300, 40), [
    { x: 0, y: 40, w: 99, h: 0 }, { x: 100, y: 30, w: 99, h: 10 }, { x: 200, y: 0, w: 99, h: 40 },
  ]);
  assert.equal(t.histogramBars([1, 1000], 20, 40)[0]!.h, 2, 'one event is still seen');
  // A day from 10:30 UTC in a zone one hour ahead (offset -60): ticks at 12:00, 15:00, ... local, midnight as the date.
  const from = Date.UTC(2026, 11, 7, 10, 30);
  const ticks = t.localHourTicks(from, from + t.DAY_MS, 960, 3, () => -60);
  assert.deepEqual(ticks.map((k) => k.label), ['12', '15', '18', '21', '08/12', '03', '06', '09']);
  assert.ok(Math.abs(ticks[0]!.x - (30 / 1440) * 960) < 1e-9, 'the first tick half an hour (local 11:30 -> 12:00) in');
});
