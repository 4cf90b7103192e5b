import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { renderConfigDocs } from './docs.ts';
import { applyEnvOverrides, parseYaml, validateConfig } from './load.ts';

const problems = (raw: unknown) => {
  const r = validateConfig(raw);
  return r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}`);
};
const cam = (extra: Record<string, unknown> = {}) => ({ id: 'gate', source: { url: 'rtsp://cam/1' }, ...extra });

test('an empty config is valid and fills the defaults', () => {
  const r = validateConfig({});
  assert.ok(r.ok);
  assert.equal(r.config.server.port, 8080);
  assert.equal(r.config.models.default, 'yolox-nano');
  assert.ok(Object.isFrozen(r.config.server), 'config is frozen');
});

test('config problems name the path, what was expected and what arrived', async (t) => {
  const cases = [
    { name: 'fps out of range', raw: { cameras: [cam(), cam({ id: 'b', detect: { fps: 0 } })] }, want: 'cameras[1].detect.fps: expected a number between 1 and 30, got 0' },
    { name: 'unknown key', raw: { cameras: [cam({ colour: 'red' })] }, want: 'cameras[0].colour: unknown key "colour"; check the spelling against docs/config.md' },
    { name: 'wrong type', raw: { server: { port: 'x' } }, want: 'server.port: expected a whole number between 0 and 65535, got "x"' },
    { name: 'bad enum', raw: { log: { level: 'loud' } }, want: 'log.level: expected one of "trace", "debug", "info", "warn", "error", "fatal", "silent", got "loud"' },
    { name: 'zone label not tracked', raw: { cameras: [cam({ zones: [{ id: 'yard', polygon: [[0, 0], [1, 0], [1, 1]], objects: ['dog'] }] })] }, want: 'cameras[0].zones[0].objects[0]: zone "yard" tracks "dog", which is not in objects.track (person); add it there' },
    { name: 'duplicate camera id', raw: { cameras: [cam(), cam()] }, want: 'cameras[1].id: camera id "gate" is used twice; give each camera its own id' },
    { name: 'polygon point outside 0..1', raw: { cameras: [cam({ zones: [{ id: 'z', polygon: [[0, 0], [2, 0], [1, 1]] }] })] }, want: 'cameras[0].zones[0].polygon[1][0]: expected a number between 0 and 1, got 2' },
  ];
  for (const c of cases) await t.test(c.name, () => assert.ok(problems(c.raw).includes(c.want), `${problems(c.raw).join('\n')}`));
});

test('zones, lines and rules: each mistake gets one clear message with the fix', async (t) => {
  const zone = { id: 'door', polygon: [[0, 0], [0.5, 0], [0.5, 1], [0, 1]] };
  const line = { id: 'threshold', points: [[0.2, 0.5], [0.8, 0.5]] };
  const withRules = (extra: Record<string, unknown>) => ({ cameras: [cam({ zones: [zone], lines: [line], ...extra })] });
  const cases = [
    {
      name: 'a rule naming an unknown zone',
      raw: withRules({ rules: [{ id: 'loiter', type: 'dwell', zone: 'dor', seconds: 30 }] }),
      want: 'cameras[0].rules[0].zone: rule "loiter" names zone "dor", which camera "gate" does not declare (zones: door); add it under zones, fix the id, or use "all" for the whole frame',
    },
    {
      name: 'a rule naming an unknown line',
      raw: withRules({ rules: [{ id: 'count', type: 'line', line: 'gate-line' }] }),
      want: 'cameras[0].rules[0].line: rule "count" names line "gate-line", which camera "gate" does not declare (lines: threshold); add it under lines or fix the id',
    },
    {
      name: 'a zero-length line',
      raw: { cameras: [cam({ lines: [{ id: 'l', points: [[0.2, 0.5], [0.2, 0.5]] }] })] },
      want: 'cameras[0].lines[0].points[1]: line "l": points 0 and 1 are the same place [0.2, 0.5], a segment of zero length; give each segment two distinct points',
    },
    {
      name: 'a self-intersecting polygon (a bow tie)',
      raw: { cameras: [cam({ zones: [{ id: 'bow', polygon: [[0, 0], [1, 1], [1, 0], [0, 0.5]] }] })] },
      want: 'cameras[0].zones[0].polygon: zone "bow" crosses itself: edge [0, 0]-[1, 1] meets edge [1, 0]-[0, 0.5]; list the corners in order around the zone',
    },
    {
      name: 'a polygon with no area',
      raw: { cameras: [cam({ zones: [{ id: 'flat', polygon: [[0, 0], [0.5, 0.5], [1, 1]] }] })] },
      want: 'cameras[0].zones[0].polygon: zone "flat" encloses no area (its corners are on one line); give it at least 3 corners around an area',
    },
    {
      name: 'a rule for an object class the camera does not track',
      raw: withRules({ rules: [{ id: 'dogs', type: 'presence', zone: 'door', objects: ['dog'] }] }),
      want: 'cameras[0].rules[0].objects[0]: rule "dogs" applies to "dog", which is not in objects.track (person) of camera "gate"; add it there',
    },
    {
      name: 'an occupancy rule with both limits',
      raw: withRules({ rules: [{ id: 'crowd', type: 'occupancy', zone: 'door', max: 5, min: 1 }] }),
      want: 'cameras[0].rules[0]: occupancy rule "crowd" needs exactly one of max or min, got both; use two rules for both limits',
    },
    {
      name: 'an unknown rule type',
      raw: withRules({ rules: [{ id: 'x', type: 'loiter', zone: 'door' }] }),
      want: 'cameras[0].rules[0].type: expected a rule type: presence, line, dwell, occupancy, fall, animal or violence, got "loiter"',
    },
    {
      name: 'two rules with one id',
      raw: withRules({ rules: [{ id: 'r', type: 'presence', zone: 'door' }, { id: 'r', type: 'line', line: 'threshold' }] }),
      want: 'cameras[0].rules[1].id: rule id "r" is used twice in camera "gate"; give each rule its own id',
    },
    {
      name: 'a misspelt rule field',
      raw: withRules({ rules: [{ id: 'd', type: 'dwell', zone: 'door', second: 30 }] }),
      want: 'cameras[0].rules[0].second: unknown key "second"; check the spelling against docs/config.md',
    },
  ];
  for (const c of cases) await t.test(c.name, () => assert.ok(problems(c.raw).includes(c.want), `${problems(c.raw).join('\n')}`));
  await t.test('a valid set of zones, lines and rules passes, and "all" names the whole frame', () => {
    assert.deepEqual(problems(withRules({ rules: [
      { id: 'in-door', type: 'presence', zone: 'door' },
      { id: 'count', type: 'line', line: 'threshold', emit: 'count' },
      { id: 'loiter', type: 'dwell', zone: 'all', seconds: 30 },
      { id: 'crowd', type: 'occupancy', zone: 'door', max: 5, seconds: 10 },
    ] })), []);
  });
});

test('every problem is reported, not just the first', () => {
  assert.equal(problems({ server: { port: -1 }, cameras: [cam({ detect: { fps: 99 } })], extra: 1 }).length, 3);
});

test('SIGHTLINE_* environment overrides nest by __ and parse JSON values', () => {
  const raw = applyEnvOverrides({ server: { host: '0.0.0.0' } }, {
    SIGHTLINE_SERVER__PORT: '9090', SIGHTLINE_DATA_DIR: '/var/sightline', SIGHTLINE_ASSETS: '/a', SIGHTLINE_CONFIG: 'ignored.yml', SIGHTLINE_ADMIN_PASSWORD: 'not a key', SIGHTLINE_CHECK_RESPONSES: '1', OTHER: 'x',
  });
  assert.deepEqual(raw, { server: { host: '0.0.0.0', port: 9090 }, dataDir: '/var/sightline', assets: '/a' });
  const r = validateConfig(applyEnvOverrides({ cameras: [cam()] }, { SIGHTLINE_CAMERAS__0__DETECT__FPS: '0' }));
  assert.ok(!r.ok && r.problems[0]!.path === 'cameras[0].detect.fps');
});

test('YAML syntax errors give the file and line', () => {
  const r = parseYaml('server:\n  port: [1\n', 'bad.yml');
  assert.ok(!r.ok);
  assert.match(r.problems[0]!.path, /^bad\.yml:\d+$/);
  const list = parseYaml('- a\n- b\n', 'list.yml');
  assert.ok(!list.ok && /expected a mapping/.test(list.problems[0]!.message));
});

test('docs/config.md is generated from the schema and up to date (run `npm run docs`)', () => {
  const onDisk = readFileSync(new URL('../../docs/config.md', import.meta.url), 'utf8');
  assert.equal(onDisk, renderConfigDocs());
});

test('cluster roles: api and worker need PostgreSQL and Redis, each named with its fix; one box needs neither', () => {
  const bad = validateConfig({ cluster: { role: 'worker' } });
  assert.equal(bad.ok, false);
  const msg = !bad.ok ? bad.problems.map((p) => `${p.path}: ${p.message}`).join('\n') : '';
  assert.match(msg, /database\.url: role "worker" is part of a cluster.*PGlite.*SIGHTLINE_DATABASE__URL/);
  assert.match(msg, /cluster\.redisUrl: role "worker" needs Redis.*SIGHTLINE_CLUSTER__REDIS_URL/);
  assert.equal(validateConfig({ cluster: { role: 'api' }, database: { url: 'postgres://u@h/db' }, cluster2: 1 }).ok, false, 'unknown keys still refused');
  const ok = validateConfig({ cluster: { role: 'api', redisUrl: 'redis://127.0.0.1:6379' }, database: { url: 'postgres://u@h/db' } });
  assert.equal(ok.ok, true, JSON.stringify(!ok.ok && ok.problems));
  const defaults = validateConfig({});
  assert.equal(defaults.ok && defaults.config.cluster.role, 'all');
  const url = validateConfig({ cluster: { redisUrl: 'http://x' } });
  assert.match(!url.ok ? url.problems[0]!.message : '', /expected a redis:\/\/ or rediss:\/\/ URL/);
  const beat = validateConfig({ cluster: { leaseMs: 3000, heartbeatMs: 2000 } });
  assert.match(!beat.ok ? beat.problems[0]!.message : '', /at most a quarter of leaseMs \(3000 ms\).*got 2000/);
});
