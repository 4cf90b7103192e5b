/**
 * Test support: a webhook receiver on loopback that verifies every request with the README's example code, dedupes
 * by webhook-id, and can be switched between behaviours: answer 2xx, answer a status, refuse connections (the port
 * closed, reopened on the same port later), or misbehave (slow-loris body, 10 MB answer, never-ending answer).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
// @ts-expect-error: a plain .mjs example without types
import { verifySightlineWebhook } from '../../docs/examples/webhook-receiver.mjs';

export type ReceiverMode = 'ok' | { status: number; retryAfter?: string } | 'slow-loris' | 'slow-body' | 'huge' | 'never-ending';

/** One request as received. */
export interface Received {
  readonly id: string;
  readonly atMs: number;
  readonly body: any;
  /** True when the id was new (a repeat of an accepted id is false). */
  readonly fresh: boolean;
  readonly answered: number;
}

export class WebhookReceiver {
  mode: ReceiverMode = 'ok';
  /** Requests whose id this returns true for get no answer at all (the sender's timeout cuts them). */
  stall: (id: string) => boolean = () => false;
  readonly requests: Received[] = [];
  /** Ids accepted (answered 2xx), in order. */
  readonly accepted: string[] = [];
  readonly badSignatures: string[] = [];
  #server: Server | null = null;
  #port = 0;
  readonly #sockets = new Set<Socket>();

  constructor(private readonly secret: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.#port}/hook`;
  }

  /** Listens (on the same port as before when restarted). */
  async start(): Promise<void> {
    const server = createServer((req, res) => this.#handle(req, res));
    server.on('connection', (s) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => resolve());
    });
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Closes the port and every open connection: senders now get "connection refused". */
  async refuse(): Promise<void> {
    const s = this.#server;
    this.#server = null;
    if (!s) return;
    for (const sock of this.#sockets) sock.destroy();
    await new Promise<void>((r) => s.close(() => r()));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: any;
      try {
        body = verifySightlineWebhook(this.secret, req.headers, raw);
      } catch (err) {
        this.badSignatures.push(String(err));
        res.writeHead(401).end('bad signature');
        return;
      }
      const id = String(req.headers['webhook-id']);
      if (this.stall(id)) return;
      const mode = this.mode;
      const answered = typeof mode === 'string' ? 200 : mode.status;
      const accepted = answered >= 200 && answered < 300 && mode === 'ok';
      const fresh = accepted && !this.accepted.includes(id);
      if (fresh) this.accepted.push(id);
      this.requests.push({ id, atMs: Date.now(), body, fresh, answered });
      if (mode === 'ok') return void res.writeHead(200).end('ok');
      if (mode === 'huge') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const block = Buffer.alloc(64 * 1024, 'x');
        let left = 160; // 10 MB
        const pump = () => {
          while (left > 0) {
            left--;
            if (!res.write(block)) return void res.once('drain', pump);
          }
          res.end();
        };
        return void pump();
      }
      if (mode === 'slow-loris') {
        // The status line, then a header that never ends: one byte every 400 ms.
        const sock = req.socket;
        sock.write('HTTP/1.1 200 OK\r\nx-slow: ');
        const timer = setInterval(() => sock.write('a'), 400);
        sock.on('close', () => clearInterval(timer));
        return;
      }
      if (mode === 'slow-body') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const timer = setInterval(() => res.write('.'), 400);
        res.on('close', () => clearInterval(timer));
        return;
      }
      if (mode === 'never-ending') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const timer = setInterval(() => res.write(Buffer.alloc(16 * 1024, 'y')), 5);
        res.on('close', () => clearInterval(timer));
        return;
      }
      res.writeHead(mode.status, mode.retryAfter ? { 'retry-after': mode.retryAfter } : {}).end(`status ${mode.status}`);
    });
  }

  async close(): Promise<void> {
    await this.refuse();
  }
}
