/**
 * The webhook destination: POSTs each event version as signed JSON (Standard Webhooks headers) with Node's built-in
 * `fetch`. Every attempt is cut at the destination's timeout, the answer's body included: at most `MAX_ANSWER_BYTES`
 * of the answer are read (for the attempt log) and the rest is dropped, so a receiver that trickles its body, sends
 * 10 MB or never ends costs one slot for at most the timeout and nothing else.
 */
import { randomUUID } from 'node:crypto';
import type { WebhookDestinationConfig } from '../config/delivery-schema.ts';
import { errorMessage } from '../core/errors.ts';
import type { AttemptOutcome } from '../delivery/retry-policy.ts';
import { excerpt, type ClaimedDelivery, type MediaLinks, type Sender, type SendResult, type TestResult } from '../delivery/sender.ts';
import { webhookBody } from '../delivery/webhook-payload.ts';
import { signWebhook } from '../delivery/webhook-signature.ts';

/** Bytes of a receiver's answer kept for the attempt log. */
const MAX_ANSWER_BYTES = 1024;
const USER_AGENT = 'Sightline-Webhooks/1';

interface Answer {
  readonly outcome: AttemptOutcome;
  readonly detail?: string;
}

/** Ports of the webhook sender. */
export interface WebhookSenderPorts {
  readonly media: MediaLinks;
  readonly now: () => number;
}

/** Builds the sender for one webhook destination (no connection is opened until the first attempt). */
export function createWebhookSender(config: WebhookDestinationConfig, ports: WebhookSenderPorts): Sender {
  const timeoutMs = config.timeoutSeconds * 1000;
  const inFlight = new Set<AbortController>();

  /** One POST, cut at the timeout; never throws. */
  const post = async (id: string, body: string): Promise<Answer> => {
    const controller = new AbortController();
    inFlight.add(controller);
    const timer = setTimeout(() => controller.abort(new Error('timeout')), timeoutMs);
    try {
      const headers = signWebhook(config.secret, id, ports.now(), body);
      const res = await fetch(config.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...headers },
        body,
        signal: controller.signal,
        redirect: 'manual',
      });
      const text = await readSome(res);
      return { outcome: { kind: 'status', status: res.status, retryAfter: res.headers.get('retry-after') }, detail: excerpt(text) || undefined };
    } catch (err) {
      if (controller.signal.aborted) return { outcome: { kind: 'timeout' }, detail: `no complete answer within ${config.timeoutSeconds} s` };
      return { outcome: { kind: 'network', error: networkError(err) } };
    } finally {
      clearTimeout(timer);
      inFlight.delete(controller);
    }
  };

  return {
    destinationId: config.id,
    batchSize: 1,
    maxInFlight: config.concurrency,
    leaseMs: 2 * timeoutMs + 60_000,
    ready: () => true,
    onReady: () => undefined,
    async send(batch: readonly ClaimedDelivery[]): Promise<SendResult[]> {
      return Promise.all(
        batch.map(async (c): Promise<SendResult> => {
          const startMs = ports.now();
          let body: string;
          try {
            body = JSON.stringify(await webhookBody(c.message, ports.media, config.snapshot, startMs + config.snapshotUrlHours * 3_600_000));
          } catch (err) {
            return { deliveryId: c.id, outcome: { kind: 'network', error: `could not build the body: ${errorMessage(err)}` }, latencyMs: ports.now() - startMs };
          }
          const a = await post(c.message.id, body);
          return { deliveryId: c.id, outcome: a.outcome, latencyMs: ports.now() - startMs, ...(a.detail ? { detail: a.detail } : {}) };
        }),
      );
    },
    async check(): Promise<string | null> {
      return null;
    },
    async test(): Promise<TestResult> {
      const startMs = ports.now();
      const body = JSON.stringify({ type: 'test', timestamp: new Date(startMs).toISOString(), id: `msg_test_${randomUUID()}`, data: { destination: config.id } });
      const a = await post(JSON.parse(body).id as string, body);
      const answer = a.outcome.kind === 'status' ? `HTTP ${a.outcome.status}${a.detail ? `: ${a.detail}` : ''}` : a.outcome.kind === 'timeout' ? `timed out: ${a.detail}` : `connection failed: ${a.outcome.error}`;
      return { ok: a.outcome.kind === 'status' && a.outcome.status >= 200 && a.outcome.status < 300, answer, latencyMs: ports.now() - startMs };
    },
    async close(): Promise<void> {
      for (const c of inFlight) c.abort(new Error('closing'));
    },
  };
}

/** Reads up to MAX_ANSWER_BYTES of the answer as text and drops the rest (the connection is then closed). */
async function readSome(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_ANSWER_BYTES) {
      const { done, value } = await reader.read();
      if (done) return new TextDecoder().decode(concat(chunks)).slice(0, MAX_ANSWER_BYTES);
      chunks.push(value);
      size += value.byteLength;
    }
    await reader.cancel().catch(() => undefined);
    return new TextDecoder().decode(concat(chunks).subarray(0, MAX_ANSWER_BYTES));
  } finally {
    reader.releaseLock();
  }
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** The cause fetch hides behind "fetch failed" (ECONNREFUSED, ENOTFOUND ...). */
function networkError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `${cause.code}${cause.message && !cause.message.includes(cause.code) ? ` (${cause.message})` : ''}`;
  return cause?.message ?? errorMessage(err);
}
