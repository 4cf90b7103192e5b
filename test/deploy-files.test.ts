// The deployment files, checked offline (no container can be built here): the Dockerfile linted by dockerfile-utils
// (the linter of the Docker language server) and read for what the README promises (multi-stage, ffmpeg, a non-root
// user, the same entry point the cluster tests run as processes); compose.yaml validated by docker-compose (Debian's,
// which parses and checks the file without a daemon); the systemd unit's command and stop signal.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { validate } from 'dockerfile-utils';
import { parse } from 'yaml';
import { NODE_COMMAND } from '../src/bench/cluster-node.ts';

const dockerfile = readFileSync('Dockerfile', 'utf8');

test('the Dockerfile lints clean: no errors or warnings', () => {
  const problems = validate(dockerfile).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
  assert.deepEqual(problems, []);
});

test('the Dockerfile is multi-stage, installs ffmpeg, runs as a non-root user, and starts the command the cluster tests run', () => {
  const stages = dockerfile.match(/^FROM /gm) ?? [];
  assert.ok(stages.length >= 2, 'a build stage and a runtime stage');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  assert.match(runtime, /apt-get install[^\n]*ffmpeg/);
  const user = /^USER (\S+)/m.exec(runtime)?.[1];
  assert.ok(user && user !== 'root' && user !== '0', `runs as ${user}`);
  const entry = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(runtime)![1]!) as string[];
  assert.deepEqual(entry, ['node', ...NODE_COMMAND]);
  assert.match(runtime, /^HEALTHCHECK [^]*?CMD [^\n]*\/api\/health/m);
});

test('compose.yaml: valid for docker-compose, PostgreSQL and Redis with health checks, an API node and workers on the same entry point', (t) => {
  const doc = parse(readFileSync('compose.yaml', 'utf8'), { merge: true }) as { services: Record<string, any> };
  assert.deepEqual(doc.services['api'].command, ['--role', 'api']);
  assert.deepEqual(doc.services['worker'].command, ['--role', 'worker']);
  for (const s of ['postgres', 'redis']) assert.ok(doc.services[s].healthcheck, `${s} has a health check`);
  const env = doc.services['worker'].environment as Record<string, string>;
  assert.match(env['SIGHTLINE_DATABASE__URL']!, /^postgres:\/\//);
  assert.match(env['SIGHTLINE_CLUSTER__REDIS_URL']!, /^redis:\/\//);
  if (!existsSync('/usr/bin/docker-compose')) {
    if (process.env['CI'] === 'true') assert.fail('docker-compose is not installed; npm test installs it');
    t.skip('docker-compose is not installed (npm test installs it)');
    return;
  }
  execFileSync('docker-compose', ['-f', 'compose.yaml', 'config', '-q'], { env: { ...process.env, POSTGRES_PASSWORD: 'check' }, stdio: 'pipe' });
  // Without the password the file says what to set.
  assert.throws(() => execFileSync('docker-compose', ['-f', 'compose.yaml', 'config', '-q'], { env: { ...process.env, POSTGRES_PASSWORD: '' }, stdio: 'pipe' }), /set POSTGRES_PASSWORD/);
});

test('the systemd unit runs a worker with the same entry point and hands its cameras over on SIGTERM', () => {
  const unit = readFileSync('deploy/sightline-worker.service', 'utf8');
  const exec = /^ExecStart=(.*)$/m.exec(unit)![1]!.split(' ');
  assert.deepEqual(exec.slice(1), [...NODE_COMMAND, '--role', 'worker']);
  assert.match(unit, /^KillSignal=SIGTERM$/m);
  assert.match(unit, /^User=(?!root)\w+/m);
});
