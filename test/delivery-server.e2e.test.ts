// Delivery in the whole server, and bad delivery settings: config check names each bad destination and its fix
// (invalid URL, unknown filter value, missing secret, a broker that is not there, an SMTP login refused); at start the
// bad destinations are reported and the camera and the good webhook run on: real events from the demo clip reach
// the receiver signed, their signed snapshot link works, and the delivery routes list, test and retry.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { startApp, type RunningApp } from '../src/app.ts';
import { freePort } from '../src/bench/rtsp-server.ts';
import { validateConfig } from '../src/config/load.ts';
import { ASSETS } from './support/assets.ts';
import { newSecret } from './support/delivery-stack.ts';
import { waitFor } from './support/wait.ts';
import { WebhookReceiver } from './support/webhook-receiver.ts';

const BIN = new URL('../bin/sightline.mjs', import.meta.url).pathname;
const PASSWORD = 'correct-horse-battery-7';

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  return promisify(execFile)(process.execPath, [BIN, ...args], { env: { ...process.env, SIGHTLINE_ASSETS: ASSETS } }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );
}

async function configCheck(yaml: string, ...flags: string[]): Promise<{ code: number; out: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'sightline-delivery-bad-'));
  try {
    await writeFile(join(dir, 'c.yaml'), yaml);
    return await cli(['config', 'check', join(dir, 'c.yaml'), ...flags]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** An SMTP server (in this process) that refuses every login. */
async function refusingSmtp(): Promise<{ port: number; close(): Promise<void> }> {
  const server = new SMTPServer({
    logger: false, disabledCommands: ['STARTTLS'], allowInsecureAuth: true, authMethods: ['PLAIN', 'LOGIN'],
    onAuth: (_auth, _s, cb) => cb(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 })),
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.server.address() as { port: number }).port, close: () => new Promise<void>((r) => server.close(() => r())) };
}


const SECRET_A = `whsec_${'A'.repeat(43)}=`;

test('config check: one message per bad destination, naming it and what was expected', async () => {
  const r = await configCheck(`cameras:
  - { id: gate, source: { url: rtsp://cam/1 } }
delivery:
  destinations:
    - { type: webhook, id: ops, url: "htp://example.com/hook", secret: "${SECRET_A}" }
    - { type: webhook, id: nosecret, url: "https://example.com/hook" }
    - { type: webhook, id: typo, url: "https://example.com/hook", secret: "${SECRET_A}", filter: { types: [presense], minSeverity: urgent } }
    - { type: mqtt, id: ha, url: "localhost:1883" }
`);
  assert.equal(r.code, 1);
  assert.match(r.out, /delivery\.destinations\[0\]\.url: destination "ops": expected an http:\/\/ or https:\/\/ URL, got "htp:\/\/example\.com\/hook"/);
  assert.match(r.out, /delivery\.destinations\[1\]\.secret: destination "nosecret": expected a signing secret "whsec_\.\.\." \(Standard Webhooks\), got nothing/);
  assert.match(r.out, /delivery\.destinations\[2\]\.filter\.types\[0\]: destination "typo": expected an event type: presence, line, .*got "presense"/);
  assert.match(r.out, /delivery\.destinations\[2\]\.filter\.minSeverity: destination "typo": expected one of "info", "warning", "critical", got "urgent"/);
  assert.match(r.out, /delivery\.destinations\[3\]\.url: destination "ha": expected a broker URL mqtt:\/\/HOST:PORT .*got "localhost:1883"/);

  const refs = await configCheck(`cameras:
  - { id: gate, source: { url: rtsp://cam/1 } }
delivery:
  destinations:
    - { type: webhook, id: ops, url: "https://example.com/hook", secret: "${SECRET_A}", filter: { cameras: [gat], rules: [door] } }
`);
  assert.equal(refs.code, 1);
  assert.match(refs.out, /delivery\.destinations\[0\]\.filter\.cameras\[0\]: destination "ops": no camera "gat"; cameras: gate/);
  assert.match(refs.out, /delivery\.destinations\[0\]\.filter\.rules\[0\]: destination "ops": no rule "door" on any camera; rules: all/);
});

test('config check contacts the destinations: a refused SMTP login and a broker that is not there are named with their fix; --offline skips that', async () => {
  const smtp = await refusingSmtp();
  try {
    const yaml = `delivery:
  destinations:
    - { type: email, id: ops-mail, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none, user: alarm, password: "${PASSWORD}" }, from: cams@example.com, to: [ops@example.com] }
    - { type: mqtt, id: ha, url: "mqtt://127.0.0.1:${await freePort()}" }
`;
    const r = await configCheck(yaml);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /destination "ops-mail": .*rejected the login for user "alarm".*check .*smtp\.user and .*password/);
    assert.match(r.out, /destination "ha": cannot reach the MQTT broker at mqtt:\/\/127\.0\.0\.1:\d+ \(connection refused\)/);
    assert.ok(!r.out.includes(PASSWORD), 'the password is never printed');
    const offline = await configCheck(yaml, '--offline');
    assert.equal(offline.code, 0, offline.out);
    assert.match(offline.out, /2 destinations: ops-mail, ha \(not contacted\)/);
  } finally {
    await smtp.close();
  }
});

test('in the server: bad destinations are reported at start while the camera and a good webhook run on; events arrive signed with a working snapshot link; delivery routes', { timeout: 180_000 }, async () => {
  const secret = newSecret();
  const receiver = new WebhookReceiver(secret);
  await receiver.start();
  const smtp = await refusingSmtp();
  const dataDir = mkdtempSync(join(tmpdir(), 'sightline-delivery-e2e-'));
  const logLines: string[] = [];
  const log = pino({ level: 'info' }, { write: (l: string) => void logLines.push(l) });
  let app: RunningApp | null = null;
  try {
    const r = validateConfig({
      server: { port: 0 }, auth: { enabled: false }, dataDir, assets: ASSETS, log: { level: 'info' }, models: { download: false },
      cameras: [{ id: 'demo', source: { url: 'sample:vtest' }, detect: { fps: 5 } }],
      delivery: {
        destinations: [
          { type: 'webhook', id: 'hook', url: receiver.url, secret, filter: { versions: ['start', 'end'] } },
          { type: 'email', id: 'ops-mail', smtp: { host: '127.0.0.1', port: smtp.port, security: 'none', user: 'alarm', password: PASSWORD }, from: 'cams@example.com', to: ['ops@example.com'], retry: { baseSeconds: 60 } },
          { type: 'mqtt', id: 'ha', url: `mqtt://127.0.0.1:${await freePort()}`, password: PASSWORD, username: 'ha' },
        ],
      },
    });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
    app = await startApp(r.config, log);
    const base = app.url;
    await waitFor('two events delivered to the webhook', () => receiver.accepted.length >= 2, 90_000);
    const text = () => logLines.join('');
    await waitFor('the SMTP and MQTT problems logged', () => /destination \\"ops-mail\\": .*rejected the login/.test(text()) && /destination \\"ha\\": cannot reach the MQTT broker/.test(text()), 20_000);
    const cam = (await (await fetch(`${base}/api/cameras/demo`)).json()) as { state: string };
    assert.equal(cam.state, 'online', 'the camera runs on');

    const first = receiver.requests.find((x) => x.fresh)!;
    assert.equal(first.body.type, 'event.start');
    assert.equal(first.body.data.cameraId, 'demo');
    assert.equal(first.body.id, first.id, 'the body carries its webhook-id');
    // The signed snapshot link works without more; a changed signature or an expired link is refused.
    const snap = await fetch(first.body.data.snapshotUrl);
    assert.equal(snap.status, 200);
    assert.equal(snap.headers.get('content-type'), 'image/jpeg');
    // Change the signature's first character to a different one (replacing it with a fixed letter would leave it
    // unchanged whenever the signature already starts with that letter, one time in 64).
    const bad = await fetch(first.body.data.snapshotUrl.replace(/sig=(.)/, (_m: string, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`));
    assert.equal(bad.status, 403);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /signature does not match/);
    const expired = await fetch(first.body.data.snapshotUrl.replace(/expires=\d+/, 'expires=1000'));
    assert.equal(expired.status, 403);
    assert.ok(first.body.data.clipUrl.startsWith(base));

    const dests = await (await fetch(`${base}/api/destinations`)).json() as { destinations: { id: string; target: string; disabled: boolean }[] };
    assert.deepEqual(dests.destinations.map((d) => d.id), ['hook', 'ops-mail', 'ha']);
    const destText = JSON.stringify(dests);
    assert.ok(!destText.includes(secret) && !destText.includes(PASSWORD), 'no secret or password in the API');
    const tested = await (await fetch(`${base}/api/destinations/hook/test`, { method: 'POST' })).json() as { ok: boolean; answer: string };
    assert.deepEqual([tested.ok, tested.answer], [true, 'HTTP 200: ok']);
    const mailTest = await (await fetch(`${base}/api/destinations/ops-mail/test`, { method: 'POST' })).json() as { ok: boolean; answer: string };
    assert.equal(mailTest.ok, false);
    assert.ok(!mailTest.answer.includes(PASSWORD));
    assert.equal((await fetch(`${base}/api/destinations/nope/test`, { method: 'POST' })).status, 404);

    const delivered = await (await fetch(`${base}/api/deliveries?destination=hook&status=delivered`)).json() as { deliveries: { id: string; messageId: string }[] };
    assert.ok(delivered.deliveries.length >= 2);
    const one = await (await fetch(`${base}/api/deliveries/${delivered.deliveries[0]!.id}`)).json() as { status: string; attemptLog: { verdict: string; statusCode: number }[] };
    assert.deepEqual(one.attemptLog.map((a) => [a.verdict, a.statusCode]), [['delivered', 200]]);
    const failedMail = await waitFor('a mail delivery failed on the login', async () => {
      const x = await (await fetch(`${base}/api/deliveries?destination=ops-mail&status=failed`)).json() as { deliveries: { lastError: string }[] };
      return x.deliveries[0];
    }, 20_000);
    assert.match(failedMail.lastError, /rejected the login/);
    assert.ok(!failedMail.lastError.includes(PASSWORD));
    const badQuery = await fetch(`${base}/api/deliveries?status=lost`);
    assert.equal(badQuery.status, 400);
    assert.match(((await badQuery.json()) as { error: { message: string } }).error.message, /status: expected one of pending, failed, delivered, dead, got "lost"/);

    // A replay: the delivered version goes out again with the same webhook-id.
    const replayed = delivered.deliveries[0]!;
    const before = receiver.requests.filter((x) => x.id === replayed.messageId).length;
    assert.equal((await fetch(`${base}/api/deliveries/${replayed.id}/retry`, { method: 'POST' })).status, 200);
    await waitFor('the replay arrived', () => receiver.requests.filter((x) => x.id === replayed.messageId).length === before + 1, 15_000);

    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /sightline_delivery_successes_total\{destination="hook"\} [1-9]/);
    assert.match(metrics, /sightline_delivery_queue_depth\{destination="ops-mail"\} [1-9]/);
    assert.ok(!text().includes(PASSWORD) && !text().includes(secret.slice(6)), 'no secret or password in the log');
    assert.equal(receiver.badSignatures.length, 0);
  } finally {
    await app?.stop();
    await receiver.close();
    await smtp.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
