import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSiteMap } from '../mapping/site-map.ts';
import { validateConfig } from './load.ts';

const plan = { id: 'floor', widthPx: 1000, heightPx: 1000, metresPerPixel: 0.01 };
const room = { id: 'room', plan: 'floor', polygonM: [[0, 0], [5, 0], [5, 5]] };
const camera = { id: 'cam', source: { url: 'rtsp://example/stream' }, rules: [{ id: 'taken', type: 'presence', zone: 'all' }] };
const problems = (site: unknown) => {
  const r = validateConfig({ cameras: [camera], site });
  return r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}`);
};

test('site rules as documented parse with their defaults', () => {
  const r = validateConfig({
    cameras: [camera],
    site: {
      plans: [plan], areas: [room], lines: [{ id: 'door', plan: 'floor', pointsM: [[5, 0], [5, 10]] }],
      rules: [{ type: 'presence', id: 'in-room', area: 'room' }, { type: 'occupancy', id: 'crowd', area: 'room', max: 3 }, { type: 'line', id: 'through', line: 'door' }, { type: 'dwell', id: 'linger', area: 'room', seconds: 30 }],
    },
  });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  const [presence, occupancy, line, dwell] = r.config.site.rules;
  assert.deepEqual(presence, { type: 'presence', id: 'in-room', area: 'room', severity: 'info', minDurationMs: 500, endAfterMs: 3000, cooldownMs: 10_000 });
  assert.deepEqual(occupancy, { type: 'occupancy', id: 'crowd', area: 'room', severity: 'warning', max: 3, seconds: 5, clearSeconds: 3, holdSeconds: 0 });
  assert.deepEqual(line, { type: 'line', id: 'through', line: 'door', severity: 'info', emit: 'event' });
  assert.equal(dwell!.type === 'dwell' && dwell!.toleranceSeconds, 2);
  assert.equal(r.config.site.lines[0]!.in, 'right');
});

test('each mistake in site lines and rules gets one message naming what was expected and the fix', () => {
  const got = problems({
    plans: [plan], areas: [room],
    lines: [{ id: 'door', plan: 'garage', pointsM: [[1, 1], [1, 1]] }, { id: 'door', plan: 'floor', pointsM: [[0, 0], [1, 1]] }],
    rules: [
      { type: 'presence', id: 'a', area: 'hall' },
      { type: 'line', id: 'b', line: 'gate' },
      { type: 'occupancy', id: 'c', area: 'room' },
      { type: 'presence', id: 'a', area: 'room' },
      { type: 'presence', id: 'taken', area: 'room' },
    ],
  }).join('\n');
  assert.match(got, /site\.lines\[0\]\.plan: line "door" is drawn on plan "garage", which this site does not have; plans: floor/);
  assert.match(got, /site\.lines\[0\]\.pointsM\[1\]: line "door": points 0 and 1 are the same place/);
  assert.match(got, /site\.lines\[1\]\.id: line id "door" is used twice/);
  assert.match(got, /site\.rules\[0\]\.area: site rule "a" names area "hall", which the site does not declare \(site\.areas: room\)/);
  assert.match(got, /site\.rules\[1\]\.line: site rule "b" names line "gate", which the site does not declare \(site\.lines: door, door\)/);
  assert.match(got, /site\.rules\[2\]: occupancy rule "c" needs exactly one of max or min, got neither/);
  assert.match(got, /site\.rules\[3\]\.id: site rule id "a" is used twice/);
  assert.match(got, /site\.rules\[4\]\.id: rule id "taken" is also a rule of camera "cam"/);
  assert.deepEqual(problems({ plans: [plan], areas: [room], rules: [{ type: 'wander', id: 'd' }] }), ['site.rules[0].type: expected a site rule type: presence, dwell, occupancy or line, got "wander"']);
});

test('site rules that cannot see anyone are warnings with the reason: fusion off, an area that cannot be used, no camera on the plan', () => {
  const rules = [{ id: 'in-room', type: 'presence', area: 'room' }, { id: 'far', type: 'presence', area: 'off-plan' }];
  const areas = [room, { id: 'off-plan', plan: 'floor', polygonM: [[0, 0], [50, 0], [50, 5]] as [number, number][] }];
  const cams = [{ id: 'cam', calibration: { plan: 'floor', pointPairs: [[0, 0], [1, 0], [1, 1], [0, 1]].map(([u, v]) => ({ imageNorm: [u!, v!] as [number, number], planM: [u! * 10, v! * 10] as [number, number] })) } }];
  const typed = areas as { id: string; plan: string; polygonM: [number, number][] }[];
  const off = buildSiteMap({ plans: [plan], areas: typed, rules, fusion: { enabled: false } }, cams).problems.map((p) => p.message).join('\n');
  assert.match(off, /site rules \(in-room, far\) count people joined across cameras, and cross-camera identity is off: they see nobody; set site\.fusion\.enabled: true/);
  const on = buildSiteMap({ plans: [plan], areas: typed, rules }, cams).problems;
  assert.deepEqual(on.filter((p) => p.path.startsWith('site.rules')).map((p) => [p.path, p.message]), [['site.rules[1]', 'site rule "far" watches area "off-plan", which cannot be used (see its problem); the rule runs once it can']]);
  const nobody = buildSiteMap({ plans: [plan], areas: typed, rules: rules.slice(0, 1) }, []).problems.filter((p) => p.path.startsWith('site.rules')).map((p) => p.message);
  assert.deepEqual(nobody, ['site rule "in-room" watches plan "floor", which no camera is calibrated to: it sees nobody until one is (calibrate a camera to that plan)']);
});
