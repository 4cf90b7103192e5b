// `sightline count degrade` and `count eval` end to end through the CLI: on a tiny synthetic MOT17-style sequence whose
// truth is worked out by hand below, and on TUD-Campus (MOT15) against a count done independently in this test. Both
// data folders hold their sequences as symbolic links.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { countCommand } from '../src/cli/count-command.ts';
import { isAppError } from '../src/core/errors.ts';
import { asset } from './support/assets.ts';

const dir = mkdtempSync(join(tmpdir(), 'sightline-count-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `countCommand` with console output captured. */
async function cli(t: { mock: { method: (o: object, m: string, f: (...a: unknown[]) => void) => unknown } }, args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  t.mock.method(console, 'log', (...a: unknown[]) => lines.push(a.join(' ')));
  t.mock.method(console, 'error', (...a: unknown[]) => lines.push(a.join(' ')));
  const code = await countCommand(args);
  return { code, out: lines.join('\n') };
}

// The synthetic sequence: 400 x 200 px, 10 fps, 40 frames; boxes 30 x 50 px given by their bottom-centre (x, y). The
// line `door` is drawn downwards at x = 200 from y = 20 to y = 180: `in` is a move from x > 200 to x < 200.
const FRAMES = 40;
interface Person { id: number; consider: number; cls: number; at: (f: number) => [number, number] | null }
const PEOPLE: Person[] = [
  { id: 1, consider: 1, cls: 1, at: (f) => [50 + 8 * (f - 1), 150] }, // walks right: 1 out
  { id: 2, consider: 1, cls: 1, at: (f) => [350 - 8 * (f - 1), 100] }, // walks left: 1 in
  { id: 3, consider: 1, cls: 1, at: (f) => (f <= 10 ? [150 + f, 60] : f >= 25 ? [250, 60] : null) }, // unseen 11..24, then past: 1 out
  { id: 4, consider: 1, cls: 1, at: (f) => [50 + 8 * (f - 1), 195] }, // walks right below the end of the line: nothing
  { id: 5, consider: 1, cls: 7, at: (f) => [350 - 8 * (f - 1), 140] }, // a static-person class: not counted
  { id: 6, consider: 0, cls: 1, at: (f) => [50 + 8 * (f - 1), 120] }, // not considered: not counted
  { id: 7, consider: 1, cls: 1, at: (f) => (f <= 6 ? [f % 2 === 1 ? 190 : 210, 90] : null) }, // 5 changes: out, in, out, in, out
];
const TRUTH_DOOR = { in: 1 + 2, out: 1 + 1 + 3 };
/** Counted people in the zone `left` (x < 200) per frame, worked out from the list above. */
const zoneTruthMean = (() => {
  let sum = 0;
  for (let f = 1; f <= FRAMES; f++) {
    for (const p of PEOPLE) {
      const at = p.at(f);
      if (at && p.consider === 1 && p.cls === 1 && at[0] < 200) sum++;
    }
  }
  return sum / FRAMES;
})();

/** A folder SRC/<name> with seqinfo.ini and gt/gt.txt, linked as DATA/<name>. */
function synthetic(name: string): string {
  const src = join(dir, 'src', name);
  mkdirSync(join(src, 'gt'), { recursive: true });
  writeFileSync(join(src, 'seqinfo.ini'), `[Sequence]\nname=${name}\nframeRate=10\nseqLength=${FRAMES}\nimWidth=400\nimHeight=200\n`);
  const rows: string[] = [];
  for (const p of PEOPLE) {
    for (let f = 1; f <= FRAMES; f++) {
      const at = p.at(f);
      if (at) rows.push(`${f},${p.id},${at[0] - 15},${at[1] - 50},30,50,${p.consider},${p.cls},1`);
    }
  }
  writeFileSync(join(src, 'gt', 'gt.txt'), `${rows.join('\n')}\n`);
  const data = join(dir, 'data');
  mkdirSync(data, { recursive: true });
  symlinkSync(src, join(data, name));
  return data;
}

test('count degrade + count eval on a synthetic sequence: the JSON has the promised shape and the hand-worked truth', async (t) => {
  const data = synthetic('SYN-01');
  const degraded = join(dir, 'degraded');
  const d = await cli(t, ['degrade', '--data', data, '--out', degraded, '--drop', '0', '--jitter', '0', '--false', '0', '--seed', '3']);
  assert.equal(d.code, 0, d.out);
  // Truth rows: ids 1, 2, 4 in 40 frames, id 3 in 26, id 7 in 6 (ids 5 and 6 are not counted).
  assert.match(d.out, /SYN-01: 152 true boxes, 152 kept, 0 false added/);
  assert.equal(readFileSync(join(degraded, 'SYN-01', 'det', 'det.txt'), 'utf8').trim().split('\n').length, 152);
  assert.equal(readFileSync(join(degraded, 'SYN-01', 'seqinfo.ini'), 'utf8'), readFileSync(join(data, 'SYN-01', 'seqinfo.ini'), 'utf8'));

  const lines = join(dir, 'syn-lines.json');
  writeFileSync(lines, JSON.stringify({ 'SYN-01': { lines: [{ id: 'door', points: [[200, 20], [200, 180]] }], zones: [{ id: 'left', polygon: [[0, 0], [200, 0], [200, 200], [0, 200]] }] } }));
  for (const counter of ['sightline', 'naive']) {
    const json = join(dir, `syn-${counter}.json`);
    const r = await cli(t, ['eval', '--data', degraded, '--lines', lines, '--counter', counter, '--json', json]);
    assert.equal(r.code, 0, r.out);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    assert.deepEqual(Object.keys(report), ['sequences', 'combined']);
    assert.deepEqual(Object.keys(report.sequences), ['SYN-01']);
    const door = report.sequences['SYN-01'].lines.door;
    assert.deepEqual(Object.keys(door), ['truth', 'counted']);
    assert.deepEqual(door.truth, TRUTH_DOOR);
    assert.deepEqual(Object.keys(door.counted).sort(), ['in', 'out']);
    const zone = report.sequences['SYN-01'].zones.left;
    assert.deepEqual(Object.keys(zone).sort(), ['mae', 'truthMean']);
    assert.ok(Math.abs(zone.truthMean - zoneTruthMean) < 1e-12, `${zone.truthMean} vs ${zoneTruthMean}`);
    const c = report.combined;
    assert.deepEqual(Object.keys(c).sort(), ['absError', 'counted', 'relError', 'truth', 'zoneMae']);
    assert.equal(c.truth, 8);
    assert.equal(c.counted, door.counted.in + door.counted.out);
    assert.equal(c.absError, Math.abs(door.counted.in - 3) + Math.abs(door.counted.out - 5));
    assert.equal(c.relError, c.absError / 8);
    assert.equal(c.zoneMae, zone.mae);
    assert.match(r.out, /combined: truth 8, counted \d+, absError \d+/);
  }
});

/** Crossings of gt bottom-centres counted here independently: per id, frame-sorted pairs, proper segment intersection. */
function independentCount(gtText: string, a: [number, number], b: [number, number]): { in: number; out: number } {
  const byId = new Map<number, { f: number; x: number; y: number }[]>();
  for (const line of gtText.trim().split('\n')) {
    const [f, id, x, y, w, h] = line.split(',').map(Number) as number[];
    byId.set(id!, [...(byId.get(id!) ?? []), { f: f!, x: x! + w! / 2, y: y! + h! }]);
  }
  const side = (p: [number, number], q: [number, number], r: [number, number]) => Math.sign((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]));
  const counts = { in: 0, out: 0 };
  for (const obs of byId.values()) {
    obs.sort((u, v) => u.f - v.f);
    for (let i = 1; i < obs.length; i++) {
      const p: [number, number] = [obs[i - 1]!.x, obs[i - 1]!.y], q: [number, number] = [obs[i]!.x, obs[i]!.y];
      const sp = side(a, b, p), sq = side(a, b, q);
      assert.ok(sp !== 0 && sq !== 0, 'no gt anchor lies exactly on a test line');
      if (sp === sq || side(p, q, a) === side(p, q, b)) continue;
      if (sq > 0) counts.in++;
      else counts.out++;
    }
  }
  return counts;
}

test('count eval through `sightline` on TUD-Campus in a linked data folder: truth equals an independent count; det_sort.txt', async () => {
  const data = join(dir, 'tud');
  mkdirSync(data);
  symlinkSync(asset('mot/MOT15/train/TUD-Campus'), join(data, 'TUD-Campus'));
  const LINES: Record<string, [[number, number], [number, number]]> = { v: [[320.5, 250.5], [320.5, 470.5]], diag: [[100.5, 300.5], [600.5, 420.5]] };
  const lines = join(dir, 'tud-lines.json');
  writeFileSync(lines, JSON.stringify({ 'TUD-Campus': { lines: Object.entries(LINES).map(([id, points]) => ({ id, points })) } }));
  const json = join(dir, 'tud.json');
  const root = fileURLToPath(new URL('..', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'count', 'eval', '--data', data, '--lines', lines, '--det', 'det_sort.txt', '--json', json], { cwd: root });
  assert.match(stdout, /TUD-Campus\s+line\s+v\s/);
  const report = JSON.parse(readFileSync(json, 'utf8'));
  const gt = readFileSync(asset('mot/MOT15/train/TUD-Campus/gt/gt.txt'), 'utf8');
  let total = 0;
  for (const [id, [a, b]] of Object.entries(LINES)) {
    const expected = independentCount(gt, a, b);
    assert.deepEqual(report.sequences['TUD-Campus'].lines[id].truth, expected, id);
    total += expected.in + expected.out;
  }
  assert.ok(total >= 5, `the test lines are crossed (${total} crossings)`);
  assert.equal(report.combined.truth, total);
  assert.equal(report.combined.zoneMae, null);
  assert.deepEqual(report.sequences['TUD-Campus'].zones, {});
});

test('count eval errors: a sequence the data folder lacks (lists what it has), a missing det file (names it), a bad lines file', async (t) => {
  const data = join(dir, 'tud');
  const lines = join(dir, 'err-lines.json');
  writeFileSync(lines, JSON.stringify({ 'TUD-Campos': {} }));
  await assert.rejects(cli(t, ['eval', '--data', data, '--lines', lines]), (err: unknown) => {
    assert.ok(isAppError(err, 'MOT_FILE_INVALID'), String(err));
    assert.match(err.message, /--lines names "TUD-Campos", but .* has no such sequence folder; it has TUD-Campus$/);
    return true;
  });
  writeFileSync(lines, JSON.stringify({ 'TUD-Campus': {} }));
  await assert.rejects(cli(t, ['eval', '--data', data, '--lines', lines, '--det', 'det_frcnn.txt']), (err: unknown) => {
    assert.ok(isAppError(err, 'MOT_FILE_INVALID'), String(err));
    assert.match(err.message, /TUD-Campus\/det\/det_frcnn\.txt: expected the detection file det\/det_frcnn\.txt of TUD-Campus \(see --det\), cannot read it$/);
    return true;
  });
  writeFileSync(lines, JSON.stringify({ 'TUD-Campus': { lines: [{ id: 'x', points: [[1, 1], [1, 1]] }] } }));
  await assert.rejects(cli(t, ['eval', '--data', data, '--lines', lines]), (err: unknown) => {
    assert.ok(isAppError(err, 'CONFIG_INVALID'), String(err));
    assert.match(err.message, /"TUD-Campus"\.lines\[0\] \("x"\)\.points: expected two different points/);
    return true;
  });
  const usage = await cli(t, ['eval', '--data', data]);
  assert.equal(usage.code, 2);
  assert.match(usage.out, /--data and --lines are required/);
});
