// The e-mail destination against a real SMTP server (smtp-server, in this process, on loopback): STARTTLS with a
// login and plain text, headers, bodies and the snapshot as parsed by mailparser, the throttle's digest and deferral,
// and the setup problems and SMTP replies a destination meets (rejected login, nothing listening, 550, 451, TLS).
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { before, describe, it } from 'node:test';
import { simpleParser, type ParsedMail } from 'mailparser';
import pino from 'pino';
import sharp from 'sharp';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { freePort } from '../src/bench/rtsp-server.ts';
import { EmailDestinationSchema } from '../src/config/delivery-schema.ts';
import { EVENT_SCHEMA_VERSION, type SightEvent } from '../src/core/types.ts';
import { DEFAULT_RETRY, judge, type AttemptOutcome } from '../src/delivery/retry-policy.ts';
import type { ClaimedDelivery, MediaLinks, SendResult, VersionKind } from '../src/delivery/sender.ts';
import { createEmailSender } from '../src/senders/email-sender.ts';
import { waitFor } from './support/wait.ts';

const USER = 'alarm';
const PASSWORD = 'correct-horse-battery-staple';
const T0_MS = Date.UTC(2026, 4, 6, 7, 8, 9);

/** One message as the server received it. */
interface Received {
  readonly mail: ParsedMail;
  readonly rcptTo: string[];
  readonly secure: boolean;
  readonly user: string | undefined;
}

/** A real SMTP server on a free loopback port; `options` override its handlers (login, recipients). */
async function startSmtp(options: SMTPServerOptions): Promise<{ port: number; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    logger: false,
    closeTimeout: 1000,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        simpleParser(Buffer.concat(chunks), { keepCidLinks: true }).then((mail) => {
          received.push({ mail, rcptTo: session.envelope.rcptTo.map((a) => a.address), secure: session.secure, user: session.user as string | undefined });
          callback(null, 'queued as test-1');
        }, callback);
      });
    },
    ...options,
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  assert.ok(address && typeof address === 'object');
  return { port: address.port, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** The SMTP options of a server that offers STARTTLS (its built-in self-signed certificate) and wants a login. */
const loginServer = (accept: boolean): SMTPServerOptions => ({
  authMethods: ['PLAIN', 'LOGIN'],
  onAuth(auth, _session, callback) {
    if (accept && auth.username === USER && auth.password === PASSWORD) return callback(null, { user: USER });
    return callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
  },
});
const plainServer: SMTPServerOptions = { disabledCommands: ['STARTTLS', 'AUTH'], authOptional: true };


let JPEG: Buffer;
const media: MediaLinks = {
  snapshot: async () => new Uint8Array(JPEG),
  signedSnapshotUrl: (e, expiresMs) => `https://cams.example/api/events/${e.id}/snapshot.jpg?exp=${expiresMs}&sig=x`,
  absolute: (path) => `https://cams.example${path}`,
};

function delivery(n: number, kind: VersionKind = 'start', over: Partial<SightEvent> = {}): ClaimedDelivery {
  const id = `ev${n}`;
  const event: SightEvent = {
    schema: EVENT_SCHEMA_VERSION, id, type: 'fall', severity: 'warning', cameraId: 'hall', ruleId: 'down', startMs: T0_MS + n * 1000,
    endMs: null, endReason: null, frameIndex: n, latencyMs: 50, lastSeenMs: T0_MS + n * 1000,
    subjects: [{ trackId: n, label: 'person', score: 0.87, boxXyxy: [1, 2, 30, 40], timeMs: T0_MS }], attributes: { zoneId: 'floor' },
    snapshotPath: `snapshots/${id}.jpg`, keep: false, ...over,
  };
  const message = { id: `msg_${id}_1`, eventId: id, version: 1, kind, event, createdMs: T0_MS + n * 1000 };
  return { id: `dl_${n}`, destinationId: 'ops-mail', attempt: 1, firstAttemptMs: null, message };
}

/** A sender for a server on `port`, and the log lines it wrote. */
function sender(port: number, over: Record<string, unknown> = {}, smtp: Record<string, unknown> = {}) {
  const lines: string[] = [];
  const log = pino({ level: 'debug' }, new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } }));
  const config = EmailDestinationSchema.parse({
    type: 'email', id: 'ops-mail', from: 'Sightline <cams@example.com>', to: ['ops@example.com', 'guard@example.com'], timeoutSeconds: 20,
    smtp: { host: '127.0.0.1', port, security: 'none', ...smtp }, ...over,
  });
  return { s: createEmailSender(config, { media, log, now: () => Date.now() }), lines };
}

const byId = (results: SendResult[]) => new Map(results.map((r) => [r.deliveryId, r]));
const verdict = (o: AttemptOutcome) => judge(o, 1, 0, 0, DEFAULT_RETRY, () => 0.5).action;

before(async () => {
  JPEG = await sharp({ create: { width: 16, height: 12, channels: 3, background: '#c03030' } }).jpeg().toBuffer();
});

describe('e-mail destination against a real SMTP server', () => {
  it('STARTTLS with a login: headers, text and HTML bodies, the snapshot attached byte for byte', async () => {
    const smtp = await startSmtp(loginServer(true));
    const { s, lines } = sender(smtp.port, { snapshot: 'attach' }, { security: 'starttls', user: USER, password: PASSWORD, rejectUnauthorized: false });
    try {
      assert.equal(await s.check(), null);
      const [r] = await s.send([delivery(1)], T0_MS);
      assert.deepEqual(r?.outcome, { kind: 'status', status: 200 });
      assert.match(r!.detail!, /^250 .*queued as test-1/);
      const got = await waitFor('the mail', () => smtp.received[0]);
      assert.equal(got.secure, true, 'upgraded with STARTTLS');
      assert.equal(got.user, USER);
      assert.deepEqual(got.rcptTo, ['ops@example.com', 'guard@example.com']);
      const m = got.mail;
      assert.equal(m.from?.text, '"Sightline" <cams@example.com>');
      assert.equal(m.subject, '[Sightline] warning: fall on hall (started)');
      assert.equal(m.messageId, '<msg_ev1_1@sightline>');
      assert.match(m.text ?? '', /Camera: +hall/);
      assert.match(m.text ?? '', /Started: +2026-05-06T07:08:10.000Z/);
      assert.ok(typeof m.html === 'string' && m.html.includes('person 0.87 (track 1)') && m.html.includes('https://cams.example/api/events/ev1/clip.mp4'));
      assert.ok(!m.html.includes('cid:'), 'attached, not inline');
      assert.equal(m.attachments.length, 1);
      const a = m.attachments[0]!;
      assert.equal(a.contentType, 'image/jpeg');
      assert.equal(a.contentDisposition, 'attachment');
      assert.ok(Buffer.from(a.content).equals(JPEG), 'the snapshot bytes arrive unchanged');
      assert.ok(!lines.join('').includes(PASSWORD));
    } finally {
      await s.close();
      await smtp.close();
    }
  });

  it('plain text (security none): the snapshot inline, referenced as cid: from the HTML; test() reports the answer', async () => {
    const smtp = await startSmtp(plainServer);
    const { s } = sender(smtp.port, { snapshot: 'inline' });
    try {
      assert.equal(await s.check(), null);
      const [r] = await s.send([delivery(2, 'end', { endMs: T0_MS + 9000, endReason: 'left', severity: 'critical' })], T0_MS);
      assert.deepEqual(r?.outcome, { kind: 'status', status: 200 });
      const m = (await waitFor('the mail', () => smtp.received[0])).mail;
      assert.equal(m.subject, '[Sightline] critical: fall on hall (ended)');
      const a = m.attachments[0]!;
      assert.ok(a.cid, 'the snapshot has a Content-ID');
      assert.ok(a.related, 'inside multipart/related');
      assert.ok(typeof m.html === 'string' && m.html.includes(`src="cid:${a.cid}"`), m.html || '');
      assert.ok(Buffer.from(a.content).equals(JPEG));

      const t = await s.test();
      assert.equal(t.ok, true);
      assert.match(t.answer, /^250 /);
      const test = await waitFor('the test mail', () => smtp.received[1]);
      assert.match(test.mail.subject ?? '', /test mail from destination "ops-mail"/);
    } finally {
      await s.close();
      await smtp.close();
    }
  });

  it('throttle 2 mails a minute: a batch of 5 is one mail and a digest of the other 4; the next batch waits for the window', async () => {
    const smtp = await startSmtp(plainServer);
    const { s } = sender(smtp.port, { throttle: { maxMails: 2, perMinutes: 1 } });
    try {
      const batch = [5, 3, 1, 4, 2].map((n) => delivery(n));
      const results = byId(await s.send(batch, T0_MS));
      assert.equal(results.size, 5);
      assert.deepEqual(results.get('dl_1')?.outcome, { kind: 'status', status: 200 }, 'the oldest goes individually');
      assert.deepEqual(results.get('dl_2')?.outcome, { kind: 'status', status: 200 }, 'the digest carrier');
      for (const id of ['dl_3', 'dl_4', 'dl_5']) assert.deepEqual(results.get(id)?.outcome, { kind: 'folded', intoDeliveryId: 'dl_2' });
      await waitFor('two mails', () => smtp.received.length >= 2);
      const [single, digest] = [...smtp.received].sort((a, b) => (a.mail.messageId ?? '').localeCompare(b.mail.messageId ?? ''));
      assert.equal(single!.mail.messageId, '<msg_ev1_1@sightline>');
      assert.equal(digest!.mail.messageId, '<msg_ev2_1+4@sightline>');
      assert.equal(digest!.mail.subject, '[Sightline] digest: 4 events, highest warning, on hall');
      const listed = (digest!.mail.text ?? '').split('\n').filter((l) => l.startsWith('- '));
      assert.deepEqual(listed.map((l) => /api\/events\/(ev\d)/.exec(l)?.[1]), ['ev2', 'ev3', 'ev4', 'ev5']);
      assert.equal(digest!.mail.attachments.length, 1, 'the first folded version\'s snapshot only');

      const later = await s.send([delivery(6), delivery(7)], T0_MS + 1000);
      for (const r of later) assert.deepEqual(r.outcome, { kind: 'deferred', untilMs: T0_MS + 60_000, reason: r.outcome.kind === 'deferred' ? r.outcome.reason : '' });
      assert.match((later[0]!.outcome as { reason: string }).reason, /mail limit reached: 2 mails in the last 1 min/);
      const next = await s.send([delivery(6)], T0_MS + 60_000);
      assert.deepEqual(next[0]?.outcome, { kind: 'status', status: 200 }, 'once the first mail left the window');
      await waitFor('the third mail', () => smtp.received.length >= 3);
    } finally {
      await s.close();
      await smtp.close();
    }
  });

  it('a rejected login: check() names the destination and the settings to fix, without the password; sends are retried', async () => {
    const smtp = await startSmtp(loginServer(false));
    const { s, lines } = sender(smtp.port, {}, { security: 'starttls', user: USER, password: PASSWORD, rejectUnauthorized: false });
    try {
      const problem = await s.check();
      assert.ok(problem);
      assert.match(problem, new RegExp(`^destination "ops-mail": the SMTP server 127\\.0\\.0\\.1:${smtp.port} rejected the login for user "alarm" \\(.*535.*\\); check smtp\\.user and smtp\\.password`));
      const results = byId(await s.send([delivery(1), delivery(2)], T0_MS));
      const first = results.get('dl_1')!;
      assert.equal(first.outcome.kind, 'network');
      assert.match(first.detail!, /rejected the login/);
      assert.equal(verdict(first.outcome as AttemptOutcome), 'retry', 'the password may be fixed');
      assert.match(results.get('dl_2')!.detail!, /^not attempted: /, 'the rest of the batch does not hammer the server');
      const everything = [problem, ...[...results.values()].map((r) => JSON.stringify(r)), ...lines].join('\n');
      for (const secret of [PASSWORD, Buffer.from(PASSWORD).toString('base64')]) assert.ok(!everything.includes(secret), 'no password anywhere');
      assert.equal(smtp.received.length, 0);
    } finally {
      await s.close();
      await smtp.close();
    }
  });

  it('nothing listening: a clear message naming host and port; sends fail with a retryable connection error', async () => {
    const port = await freePort();
    const { s } = sender(port);
    try {
      assert.equal(await s.check(), `destination "ops-mail": cannot reach the SMTP server 127.0.0.1:${port} (ECONNREFUSED); check smtp.host and smtp.port`);
      const [r] = await s.send([delivery(1)], T0_MS);
      assert.equal(r?.outcome.kind, 'network');
      assert.match(r!.detail!, /ECONNREFUSED/);
      assert.equal(verdict(r!.outcome as AttemptOutcome), 'retry');
    } finally {
      await s.close();
    }
  });

  const tlsRows = [
    { name: 'a self-signed certificate with rejectUnauthorized on', smtp: { security: 'starttls' }, want: /TLS with the SMTP server 127\.0\.0\.1:\d+ failed .*smtp\.security .*smtp\.rejectUnauthorized: false$/ },
    { name: 'security "tls" on a STARTTLS port', smtp: { security: 'tls', rejectUnauthorized: false }, want: /the SMTP server 127\.0\.0\.1:\d+ did not answer with TLS .*check smtp\.security/ },
    { name: 'security "none" where the server wants encryption before the login', smtp: { security: 'none' }, want: /wants encryption before the login \(538 .*\); set smtp\.security to "starttls"/ },
  ];
  for (const row of tlsRows) {
    it(`${row.name}: the message names the destination and the setting to fix`, async () => {
      const smtp = await startSmtp(loginServer(true));
      const { s } = sender(smtp.port, {}, { user: USER, password: PASSWORD, ...row.smtp });
      try {
        const problem = (await s.check()) ?? 'no problem reported';
        assert.ok(problem.startsWith('destination "ops-mail": '), problem);
        assert.match(problem, row.want);
        assert.ok(!problem.includes(PASSWORD));
      } finally {
        await s.close();
        await smtp.close();
      }
    });
  }

  it('550 on RCPT is permanent (422, dead at once) with the real reply; 451 is retried', async () => {
    const reply = (code: number, text: string): SMTPServerOptions => ({
      ...plainServer,
      onRcptTo(_address, _session, callback) {
        callback(Object.assign(new Error(text), { responseCode: code }));
      },
    });
    for (const row of [
      { name: '550', options: reply(550, '5.1.1 mailbox unavailable'), kind: 'status', verdict: 'dead', detail: /^SMTP 550 5\.1\.1 mailbox unavailable/ },
      { name: '451', options: reply(451, '4.3.0 try again later'), kind: 'network', verdict: 'retry', detail: /^SMTP 451 4\.3\.0 try again later/ },
    ]) {
      const smtp = await startSmtp(row.options);
      const { s } = sender(smtp.port);
      try {
        const [r] = await s.send([delivery(1)], T0_MS);
        assert.equal(r?.outcome.kind, row.kind, row.name);
        if (row.kind === 'status') assert.deepEqual(r!.outcome, { kind: 'status', status: 422 });
        assert.match(r!.detail!, row.detail, row.name);
        assert.equal(verdict(r!.outcome as AttemptOutcome), row.verdict, row.name);
      } finally {
        await s.close();
        await smtp.close();
      }
    }
  });

  it('a digest the server refuses: every folded version gets the failure, so all are retried', async () => {
    const smtp = await startSmtp({ ...plainServer, onRcptTo: (_a, _s, callback) => callback(Object.assign(new Error('4.3.0 try again later'), { responseCode: 451 })) });
    const { s } = sender(smtp.port, { throttle: { maxMails: 1, perMinutes: 10 } });
    try {
      const results = await s.send([delivery(1), delivery(2), delivery(3)], T0_MS);
      assert.equal(results.length, 3);
      for (const r of results) assert.deepEqual(r.outcome, { kind: 'network', error: 'SMTP 451 4.3.0 try again later' }, r.deliveryId);
      const retry = await s.send([delivery(1), delivery(2), delivery(3)], T0_MS + 1000);
      assert.ok(retry.every((r) => r.outcome.kind === 'network'), 'a refused mail spends no quota: the retry is not deferred');
    } finally {
      await s.close();
      await smtp.close();
    }
  });

  it('a server that never answers DATA: the attempt ends as a timeout after timeoutSeconds; close() ends a pending send', async () => {
    const smtp = await startSmtp({ ...plainServer, onData: (stream) => stream.resume() });
    const { s } = sender(smtp.port, { timeoutSeconds: 1 });
    const other = sender(smtp.port, { timeoutSeconds: 60 }).s;
    try {
      const started = performance.now();
      const [r] = await s.send([delivery(1)], T0_MS);
      assert.deepEqual(r?.outcome, { kind: 'timeout' });
      assert.ok(performance.now() - started < 30_000);
      const pending = other.send([delivery(2)], T0_MS);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await other.close();
      const [closed] = await pending;
      assert.deepEqual(closed?.outcome, { kind: 'network', error: 'the e-mail sender was closed' });
    } finally {
      await s.close();
      await other.close();
      await smtp.close();
    }
  });
});
