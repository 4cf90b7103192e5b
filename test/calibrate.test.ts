// `sightline calibrate` and `config check` on calibrations: per-pair errors in metres, a wrong pair pointed out, bad
// point sets and site problems named with their fix (as warnings: the server still starts).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { calibrateCommand } from '../src/cli/calibrate-command.ts';
import { configCommand } from '../src/cli/config-command.ts';

const dir = mkdtempSync(join(tmpdir(), 'sightline-calibrate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function run(t: { mock: { method: (o: object, m: string, f: (...a: unknown[]) => void) => unknown } }, fn: () => Promise<number>): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  t.mock.method(console, 'log', (...a: unknown[]) => lines.push(a.join(' ')));
  t.mock.method(console, 'error', (...a: unknown[]) => lines.push(a.join(' ')));
  const code = await fn();
  return { code, out: lines.join('\n') };
}

/** A camera looking at a 10 x 8 m floor: plan = a perspective map of the image (exactly a homography). */
const truth = (x: number, y: number): [number, number] => {
  const w = 0.0004 * y + 1;
  return [(0.02 * x - 0.004 * y) / w, (0.03 * y) / w];
};
const clicks = [[100, 500], [700, 500], [650, 200], [150, 200], [400, 350], [400, 480], [250, 420]].map(([x, y]) => ({ imagePx: [x, y], planM: truth(x!, y!) }));

test('pairs that agree fit to millimetres; one clicked in the wrong place is pointed out and left out', async (t) => {
  const good = join(dir, 'good.json');
  writeFileSync(good, JSON.stringify(clicks));
  const ok = await run(t, () => calibrateCommand(['--pairs', good, '--project', '400,350', '--json', join(dir, 'fit.json')]));
  assert.equal(ok.code, 0, ok.out);
  assert.match(ok.out, /7 pairs, rms 0\.00 m/);
  const [px, py] = truth(400, 350);
  assert.match(ok.out, new RegExp(`400,350 -> ${px.toFixed(3)}, ${py.toFixed(3)} m`));
  assert.equal(JSON.parse(readFileSync(join(dir, 'fit.json'), 'utf8')).pairs.length, 7);

  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify(clicks.map((c, i) => (i === 4 ? { ...c, planM: [c.planM[0] + 3, c.planM[1]] } : c))));
  const wrong = await run(t, () => calibrateCommand(['--pairs', bad]));
  assert.equal(wrong.code, 1);
  assert.match(wrong.out, /pair {2}5: 3\.\d+ m {2}<- disagrees with the others: check where it was clicked/);
  assert.doesNotMatch(wrong.out, /pair {2}[1-46-7]: [1-9]/, 'the others stay small');
});

test('too few, collinear or malformed pairs are refused with what to do', async (t) => {
  const three = join(dir, 'three.json');
  writeFileSync(three, JSON.stringify({ pointPairs: clicks.slice(0, 3) }));
  assert.match((await run(t, () => calibrateCommand(['--pairs', three]))).out, /needs 4 or more point pairs spread out over the floor, got 3/);
  const line = join(dir, 'line.json');
  writeFileSync(line, JSON.stringify([0, 1, 2, 3, 4].map((i) => ({ imageNorm: [0.1 * i, 0.1 * i], planM: [i, 2 * i + 1] }))));
  assert.match((await run(t, () => calibrateCommand(['--pairs', line]))).out, /lie on one line; spread the points out/);
  const both = join(dir, 'both.json');
  writeFileSync(both, JSON.stringify([{ imageNorm: [0, 0], imagePx: [0, 0], planM: [0, 0] }]));
  await assert.rejects(calibrateCommand(['--pairs', both]), /pair 1: expected exactly one of imageNorm or imagePx, got both/);
  await assert.rejects(calibrateCommand(['--pairs', join(dir, 'none.json')]), /--pairs: expected a readable JSON file/);
  assert.equal((await run(t, () => calibrateCommand([]))).code, 2);
});

test('config check and calibrate --config name the site problems and their fix; the file is still valid', async (t) => {
  const file = join(dir, 'site.yaml');
  writeFileSync(file, `
cameras:
  - id: door
    source: { url: rtsp://example/door }
    calibration: { plan: upstairs, pointPairs: [{ imageNorm: [0.1, 0.9], planM: [1, 1] }, { imageNorm: [0.9, 0.9], planM: [9, 1] }, { imageNorm: [0.8, 0.5], planM: [8, 8] }, { imageNorm: [0.2, 0.5], planM: [2, 8] }] }
  - id: hall
    source: { url: rtsp://example/hall }
    calibration: { plan: ground, pointPairs: [{ imageNorm: [0.1, 0.9], planM: [1, 1] }, { imageNorm: [0.9, 0.9], planM: [9, 1] }, { imageNorm: [0.8, 0.5], planM: [8, 8] }, { imageNorm: [0.2, 0.5], planM: [2, 8] }] }
site:
  plans:
    - { id: ground, widthPx: 1000, heightPx: 800, metresPerPixel: 0.01 }
    - { id: cellar, widthPx: 500, heightPx: 500 }
  areas:
    - { id: shop, plan: ground, polygonM: [[0, 0], [12, 0], [12, 5]] }
`);
  const check = await run(t, () => configCommand(['check', file, '--offline']));
  assert.equal(check.code, 0, check.out);
  assert.match(check.out, /warning: site\.plans\[1\]: plan "cellar": the floor plan has no scale/);
  assert.match(check.out, /warning: site\.areas\[0\]\.polygonM\[1\]: area "shop": vertex 2 at \(12\.00, 0\.00\) m lies outside the plan \(10\.00 m × 8\.00 m.*move it onto the plan/);
  assert.match(check.out, /warning: cameras\[0\]\.calibration\.plan: camera "door" is calibrated to plan "upstairs", which is not a plan of this site \(plans: ground, cellar\); calibrate it to one of them/);
  assert.match(check.out, /ok \(2 cameras: door, hall; 1 calibrated to 1 plan, 0 areas\)/);
  const cal = await run(t, () => calibrateCommand(['--config', file]));
  assert.equal(cal.code, 1);
  assert.match(cal.out, /door: camera "door" is calibrated to plan "upstairs"/);
  assert.match(cal.out, /hall \(plan ground\): 4 pairs/);
  await assert.rejects(calibrateCommand(['--config', file, '--camera', 'attic']), /--camera: no camera "attic" .*cameras: door, hall/);
});
