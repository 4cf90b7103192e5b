// A private redis-server on a free loopback port for the cluster tests and bench/cluster.ts (Debian's /usr/bin/redis-server; scripts/test.sh
// installs it), without persistence. It can be stopped and started again on the same port.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { freePort } from './rtsp-server.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const REDIS_BIN = '/usr/bin/redis-server';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** The server's pid while it runs. */
  readonly pid: number | null;
  start(): Promise<void>;
  /** SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

export function redisInstalled(): boolean {
  return existsSync(REDIS_BIN);
}

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  let log = '';
  const start = async () => {
    const c = spawn(REDIS_BIN, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    c.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    child = c;
    const end = performance.now() + 15_000;
    while (!(await listening(port))) {
      if (c.exitCode !== null) throw new Error(`redis-server exited with ${c.exitCode}: ${log}`);
      if (performance.now() > end) throw new Error(`redis-server did not listen on ${port} within 15 s: ${log}`);
      await sleep(50);
    }
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(t);
    child = null;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`, port, start, stop, close: stop,
    get pid() {
      return child?.pid ?? null;
    },
  };
}
