// A private mosquitto broker on a free loopback port for the MQTT tests (Debian's /usr/sbin/mosquitto; scripts/test.sh
// installs it). It can be stopped and started again on the same port, to test reconnects.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/bench/rtsp-server.ts';
import { sleep } from './wait.ts';

/** Where Debian installs the broker. */
export const MOSQUITTO_BIN = '/usr/sbin/mosquitto';

/** A running (or stopped) broker. */
export interface Mosquitto {
  /** `mqtt://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  /** Starts the broker again on the same port (after `stop`). */
  start(): Promise<void>;
  /** Stops the broker (SIGTERM, then SIGKILL after 5 s); every client connection drops. */
  stop(): Promise<void>;
  /** Freezes the broker (SIGSTOP): connections stay open, nothing is answered. */
  pause(): void;
  /** Thaws it (SIGCONT). */
  resume(): void;
  /** The broker's log so far (for a failing test's message). */
  logText(): Promise<string>;
  /** Stops the broker and removes its folder. */
  close(): Promise<void>;
}

/** Whether the broker is installed; tests skip with a reason when it is not. */
export function mosquittoInstalled(): boolean {
  return existsSync(MOSQUITTO_BIN);
}


/** Resolves once something accepts TCP connections on `port`; throws after `timeoutMs`. */
async function waitForPort(port: number, timeoutMs: number, exited: () => string | null): Promise<void> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    const why = exited();
    if (why) throw new Error(`mosquitto exited before listening on ${port}: ${why}`);
    if (performance.now() > end) throw new Error(`mosquitto did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/**
 * Starts a broker: no persistence unless `persistence`, logging to a file in a fresh temp folder; anonymous access unless `anonymous` is
 * false, and then (no password file) every login is refused as not authorised.
 */
export async function startMosquitto(opts: { anonymous?: boolean; persistence?: boolean } = {}): Promise<Mosquitto> {
  const dir = await mkdtemp(join(tmpdir(), 'sightline-mosquitto-'));
  const port = await freePort();
  const logFile = join(dir, 'mosquitto.log');
  const configFile = join(dir, 'mosquitto.conf');
  await writeFile(configFile, [
    // Run as root, mosquitto would switch to the user "mosquitto", who cannot write the log into this private folder.
    `user ${userInfo().username}`,
    `listener ${port} 127.0.0.1`, `allow_anonymous ${opts.anonymous ?? true}`,
    // With persistence, sessions and their queued QoS 1 messages survive a stop (saved on SIGTERM) and a start.
    ...(opts.persistence ? ['persistence true', `persistence_location ${dir}/`] : ['persistence false']),
    `log_dest file ${logFile}`, 'log_type all', 'connection_messages true', '',
  ].join('\n'));
  let child: ChildProcess | null = null;
  let exitNote: string | null = null;

  const launch = async () => {
    exitNote = null;
    const proc = spawn(MOSQUITTO_BIN, ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('exit', (code, signal) => {
      exitNote = `exit ${code ?? signal}${stderr ? `: ${stderr.trim()}` : ''}`;
      if (child === proc) child = null;
    });
    child = proc;
    try {
      await waitForPort(port, 15_000, () => exitNote);
    } catch (err) {
      proc.kill('SIGKILL');
      throw err;
    }
  };

  const start = async () => {
    if (child) return;
    // On a restart the old socket may linger a moment and mosquitto exits when it cannot bind: try a few times.
    for (let attempt = 1; ; attempt++) {
      try {
        return await launch();
      } catch (err) {
        if (attempt === 5 || !exitNote) throw err;
        await sleep(500);
      }
    }
  };

  const stop = async () => {
    const proc = child;
    if (!proc) return;
    child = null;
    const exited = new Promise<void>((resolve) => (proc.exitCode !== null || proc.signalCode !== null ? resolve() : proc.once('exit', () => resolve())));
    proc.kill('SIGCONT'); // a paused broker could not act on SIGTERM
    proc.kill('SIGTERM');
    const killer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  };

  await start();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    start,
    stop,
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    logText: () => readFile(logFile, 'utf8').catch(() => ''),
    close: async () => {
      try {
        await stop();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
