/**
 * The e-mail destination: event versions as mails over SMTP (nodemailer, imported only here), one mail per version
 * with the snapshot attached or inline, throttled per destination (at most `maxMails` per `perMinutes`; the rest of a
 * batch folded into one digest mail, see delivery/throttle.ts). Each mail's Message-ID comes from the outbox message
 * id (`<msg_...@sightline>`; a digest `<FIRST_ID+COUNT@sightline>`), so a repeat after a lost answer is one mail to
 * a client that dedupes.
 *
 * How an SMTP answer becomes an outcome the retry policy judges (`judge` in delivery/retry-policy.ts):
 *
 * | SMTP                                                   | outcome                                     | verdict     |
 * |--------------------------------------------------------|---------------------------------------------|-------------|
 * | 250 accepted (some recipients may be refused)          | `status` 200, detail = the server's reply   | delivered   |
 * | 4xx reply (421, 450, 451, 452 ...) or 503              | `network`, error = `SMTP 451 ...`           | retried     |
 * | connection refused or lost, DNS, TLS failure           | `network`, error = the cause and the fix    | retried     |
 * | no answer within `timeoutSeconds` (the session's cap)  | `timeout`                                   | retried     |
 * | login rejected (535, EAUTH)                            | `network`, "... rejected the login ..."     | retried: the password may be fixed |
 * | permanent 5xx reply (550 mailbox unavailable, 554 ...) | `status` 422, detail = `SMTP 550 ...`       | dead at once: 422 is a 4xx the policy does not retry |
 *
 * Also: window full → `deferred` until the oldest mail leaves it (no attempt counted); a version in a digest →
 * `folded` into the digest's carrier delivery, which gets the send's outcome (when the digest fails, every folded
 * version gets that failure, so all are retried). After a failure of the server or connection (not of one message),
 * the rest of the batch is not attempted and gets the same outcome. The password never appears in a log line, an
 * outcome, a detail or a `check()` message.
 */
import nodemailer from 'nodemailer';
import type { NodemailerError, SendMailOptions, SMTPSentMessageInfo, Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { EmailDestinationConfig } from '../config/delivery-schema.ts';
import { digestMail, eventMail, type MailContent, type MailVersion } from '../delivery/email-content.ts';
import type { AttemptOutcome } from '../delivery/retry-policy.ts';
import { excerpt, type ClaimedDelivery, type MediaLinks, type Sender, type SendOutcome, type SendResult, type TestResult } from '../delivery/sender.ts';
import { decideThrottle, inWindow } from '../delivery/throttle.ts';

/** Deliveries handed over per `send` call (the throttle decides how many become mails). */
const EMAIL_BATCH = 100;

/** What the e-mail sender needs from the composition root. */
export interface EmailSenderPorts {
  readonly media: MediaLinks;
  readonly log: Logger;
  /** Wall clock in ms (latencies). */
  readonly now: () => number;
}

/** How long a signed snapshot link in a mail stays valid: a mail is read later than a webhook is handled. */
const SNAPSHOT_LINK_MS = 7 * 24 * 3_600_000;

/** An attempt's outcome with its detail for the attempt log. */
interface Attempt {
  readonly outcome: AttemptOutcome;
  readonly detail: string;
  /** The server or the connection failed, not this message: the rest of the batch would meet the same. */
  readonly sessionWide?: boolean;
}

/** What an attempt after (or cut by) `close()` reports. */
const CLOSED: Attempt = { outcome: { kind: 'network', error: 'the e-mail sender was closed' }, detail: 'the e-mail sender was closed', sessionWide: true };

/** Node and OpenSSL codes of a failed TLS handshake or certificate check. */
const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|TLS|SSL|EPROTO/;

function isTlsFailure(err: NodemailerError): boolean {
  return err.code === 'ETLS' || TLS_CODE.test(err.originalCode ?? '') || /certificate|ssl|tls|wrong version/i.test(err.message);
}

/**
 * Builds the sender of one e-mail destination. The throttle's window (the send times of recent mails) lives in
 * memory: a restart starts a fresh window, so right after one up to `maxMails` more mails may go out.
 */
export function createEmailSender(config: EmailDestinationConfig, ports: EmailSenderPorts): Sender {
  const { smtp } = config;
  const timeoutMs = config.timeoutSeconds * 1000;
  const windowMs = config.throttle.perMinutes * 60_000;
  const server = `${smtp.host}:${smtp.port}`;
  const log = ports.log.child({ component: 'email', destination: config.id });
  const transport: Transporter<SMTPSentMessageInfo> = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.security === 'tls',
    requireTLS: smtp.security === 'starttls',
    ignoreTLS: smtp.security === 'none',
    auth: smtp.user === undefined ? undefined : { user: smtp.user, pass: smtp.password ?? '' },
    tls: { rejectUnauthorized: smtp.rejectUnauthorized },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
    logger: false,
  });
  const inFlight = new Set<AbortController>();
  let sentMs: number[] = [];
  let closed = false;

  /** The text with the password (and its base64 forms, as AUTH sends them) blanked out. */
  const scrub = (text: string): string => {
    const pass = smtp.password;
    if (!pass || pass.length < 3) return text;
    const forms = [pass, Buffer.from(pass).toString('base64'), Buffer.from(`\0${smtp.user ?? ''}\0${pass}`).toString('base64')];
    return forms.reduce((t, f) => t.split(f).join('***'), text);
  };
  const reply = (err: NodemailerError) => scrub(excerpt(err.response ?? err.message, 300));
  const cause = (err: NodemailerError) => err.originalCode ?? err.code ?? 'error';

  /**
   * Words for a failure of the setup or the connection (login, TLS, timeout, nothing reachable), with the setting
   * that fixes it; null when the server answered with a reply about the message.
   */
  function setupProblem(err: NodemailerError): string | null {
    if (err.code === 'EAUTH' && (err.responseCode === 538 || /STARTTLS|encryption/i.test(err.response ?? ''))) {
      return `the SMTP server ${server} wants encryption before the login (${reply(err)}); set smtp.security to "starttls" (or "tls" on port 465)`;
    }
    if (err.code === 'EAUTH') return `the SMTP server ${server} rejected the login for user "${smtp.user ?? ''}" (${reply(err)}); check smtp.user and smtp.password`;
    if (err.code === 'ENOAUTH') return `the SMTP server ${server} requires a login; set smtp.user and smtp.password`;
    const securityHint = 'check smtp.security ("tls" for port 465, "starttls" for 587, "none" only on a trusted network)';
    if (/wrong version number/i.test(err.message)) return `the SMTP server ${server} did not answer with TLS (${cause(err)}); ${securityHint}`;
    if (isTlsFailure(err)) {
      return `TLS with the SMTP server ${server} failed (${cause(err)}: ${scrub(excerpt(err.message, 200))}); ${securityHint} and, for a self-signed certificate, smtp.rejectUnauthorized: false`;
    }
    if (err.code === 'ETIMEDOUT' || err.code === 'EABORT') {
      return `the SMTP server ${server} did not answer within ${config.timeoutSeconds} s; check smtp.host, smtp.port and smtp.security ("tls" for port 465, "starttls" for 587)`;
    }
    if (err.responseCode !== undefined) return null;
    return `cannot reach the SMTP server ${server} (${cause(err)}); check smtp.host and smtp.port`;
  }

  /** The outcome of a failed SMTP session (see the table at the top of the file). */
  function failure(err: NodemailerError): Attempt {
    if (closed) return CLOSED;
    const setup = setupProblem(err);
    if (setup !== null) {
      const timedOut = err.code === 'ETIMEDOUT' || err.code === 'EABORT';
      return { outcome: timedOut ? { kind: 'timeout' } : { kind: 'network', error: setup }, detail: setup, sessionWide: true };
    }
    const code = err.responseCode ?? 0;
    const detail = `SMTP ${reply(err)}`;
    if (err.permanent ?? (code >= 500 && code !== 503)) return { outcome: { kind: 'status', status: 422 }, detail };
    return { outcome: { kind: 'network', error: detail }, detail, sessionWide: code === 421 };
  }

  /** Sends one mail within the session cap; never rejects. */
  async function deliver(mail: SendMailOptions): Promise<Attempt> {
    if (closed) return CLOSED;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    inFlight.add(abort);
    try {
      const info = await transport.sendMail({ ...mail, from: config.from, to: config.to, signal: abort.signal });
      const rejected = info.rejected.length > 0 ? `; refused for ${info.rejected.join(', ')}` : '';
      return { outcome: { kind: 'status', status: 200 }, detail: scrub(excerpt(`${info.response}${rejected}`)) };
    } catch (err) {
      const attempt = failure(err as NodemailerError);
      log.warn({ code: (err as NodemailerError).code, responseCode: (err as NodemailerError).responseCode, detail: attempt.detail }, 'mail not sent');
      return attempt;
    } finally {
      clearTimeout(timer);
      inFlight.delete(abort);
    }
  }

  async function snapshotOf(d: ClaimedDelivery): Promise<Uint8Array | null> {
    if (config.snapshot === 'none') return null;
    try {
      return await ports.media.snapshot(d.message.event);
    } catch (err) {
      log.warn({ event: d.message.eventId, err: (err as Error).message }, 'snapshot unreadable; mail sent without it');
      return null;
    }
  }

  function versionOf(d: ClaimedDelivery, nowMs: number): MailVersion {
    const e = d.message.event;
    return {
      kind: d.message.kind,
      event: e,
      links: {
        event: ports.media.absolute(`/api/events/${e.id}`),
        snapshot: ports.media.signedSnapshotUrl(e, nowMs + SNAPSHOT_LINK_MS),
        clip: ports.media.absolute(`/api/events/${e.id}/clip.mp4`),
      },
    };
  }

  /** The mail for `d` (or a digest led by it), its snapshot attached or inline as configured. */
  async function compose(d: ClaimedDelivery, messageId: string, content: (cid: string | null) => MailContent): Promise<SendMailOptions> {
    const jpeg = await snapshotOf(d);
    const cid = jpeg && config.snapshot === 'inline' ? `snapshot-${d.message.id}@sightline` : null;
    const { subject, text, html } = content(cid);
    const attachments = jpeg
      ? [{ filename: `snapshot-${d.message.eventId}.jpg`, content: Buffer.from(jpeg), contentType: 'image/jpeg', ...(cid ? { cid, contentDisposition: 'inline' } : {}) }]
      : [];
    return { messageId, subject, text, html, attachments };
  }

  async function sendOne(d: ClaimedDelivery, nowMs: number): Promise<Attempt> {
    const mail = await compose(d, `<${d.message.id}@sightline>`, (cid) => eventMail(versionOf(d, nowMs), config.subjectPrefix, cid));
    return deliver(mail);
  }

  async function sendDigest(ds: readonly ClaimedDelivery[], nowMs: number): Promise<Attempt> {
    const first = ds[0]!;
    const versions = ds.map((d) => versionOf(d, nowMs));
    const mail = await compose(first, `<${first.message.id}+${ds.length}@sightline>`, (cid) => digestMail(versions, config.subjectPrefix, cid));
    return deliver(mail);
  }

  /** One batch at a time, so two overlapping calls cannot both spend the same quota. */
  let queue: Promise<unknown> = Promise.resolve();
  function send(batch: readonly ClaimedDelivery[], nowMs: number): Promise<SendResult[]> {
    const next = queue.then(() => sendBatch(batch, nowMs));
    queue = next.catch(() => {});
    return next;
  }

  async function sendBatch(batch: readonly ClaimedDelivery[], nowMs: number): Promise<SendResult[]> {
    sentMs = inWindow(sentMs, windowMs, nowMs);
    const ordered = [...batch].sort((a, b) => a.message.createdMs - b.message.createdMs);
    const decision = decideThrottle(sentMs, { maxMails: config.throttle.maxMails, windowMs }, ordered.length, nowMs);
    if (decision.action === 'defer') {
      const reason = `mail limit reached: ${sentMs.length} mails in the last ${config.throttle.perMinutes} min (throttle.maxMails ${config.throttle.maxMails})`;
      return ordered.map((d) => ({ deliveryId: d.id, outcome: { kind: 'deferred', untilMs: decision.untilMs, reason }, latencyMs: 0 }));
    }
    const results: SendResult[] = [];
    let broken: Attempt | null = null;
    const record = (d: ClaimedDelivery, a: Attempt, startMs: number, outcome: SendOutcome = a.outcome) =>
      results.push({ deliveryId: d.id, outcome, latencyMs: Math.max(0, ports.now() - startMs), detail: a.detail });
    const attempt = async (fn: () => Promise<Attempt>): Promise<Attempt> => {
      if (broken) return { outcome: broken.outcome, detail: `not attempted: ${broken.detail}` };
      const a = await fn().catch((err: unknown): Attempt => ({ outcome: { kind: 'network', error: scrub(String(err)) }, detail: scrub(String(err)) }));
      if (a.outcome.kind === 'status' && a.outcome.status === 200) sentMs.push(nowMs);
      else if (a.sessionWide) broken = a;
      return a;
    };
    for (const d of ordered.slice(0, decision.individual)) {
      const startMs = ports.now();
      record(d, await attempt(() => sendOne(d, nowMs)), startMs);
    }
    const folded = ordered.slice(decision.individual);
    if (folded.length > 0) {
      const startMs = ports.now();
      const a = await attempt(() => sendDigest(folded, nowMs));
      const carrier = folded[0]!;
      const ok = a.outcome.kind === 'status' && a.outcome.status === 200;
      record(carrier, a, startMs);
      for (const d of folded.slice(1)) record(d, a, startMs, ok ? { kind: 'folded', intoDeliveryId: carrier.id } : a.outcome);
    }
    return results;
  }

  /** The one-line setup problem behind a failed verify, naming the destination and the setting to fix. */
  function problem(err: NodemailerError): string {
    return `destination "${config.id}": ${setupProblem(err) ?? `the SMTP server ${server} answered "${reply(err)}"; check the smtp settings of this destination`}`;
  }

  async function check(): Promise<string | null> {
    let timer: NodeJS.Timeout | undefined;
    const cap = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error('verify timed out'), { code: 'ETIMEDOUT' })), timeoutMs + 1000);
    });
    try {
      await Promise.race([transport.verify(), cap]);
      return null;
    } catch (err) {
      const message = problem(err as NodemailerError);
      log.warn({ code: (err as NodemailerError).code, problem: message }, 'e-mail destination not usable');
      return message;
    } finally {
      clearTimeout(timer);
    }
  }

  async function test(): Promise<TestResult> {
    const startMs = ports.now();
    const a = await deliver({
      subject: `${config.subjectPrefix} test mail from destination "${config.id}"`,
      text: `This is a test mail from Sightline's e-mail destination "${config.id}" (SMTP server ${server}).\nEvent mails to this address will look like this sender and subject prefix.\n`,
    });
    const ok = a.outcome.kind === 'status' && a.outcome.status === 200;
    return { ok, answer: a.detail, latencyMs: Math.max(0, ports.now() - startMs) };
  }

  return {
    destinationId: config.id,
    batchSize: EMAIL_BATCH,
    // A batch is mailed one message after another, each cut at the timeout: the lease covers the whole batch.
    leaseMs: EMAIL_BATCH * config.timeoutSeconds * 1000 + 60_000,
    ready: () => true,
    onReady: () => {},
    send,
    check,
    test,
    async close() {
      closed = true;
      for (const a of inFlight) a.abort();
      transport.close();
    },
  };
}
