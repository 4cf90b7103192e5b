/**
 * A real RTSP server for `bench cameras` and the tests: GStreamer's gst-rtsp-server (`rtsp-server.py`, run with Debian's
 * /usr/bin/python3; packages gir1.2-gst-rtsp-server-1.0, python3-gi, gstreamer1.0-plugins-base/good/bad) serving H.264
 * clips in a loop, and the clips themselves, encoded once per machine into the temp folder and reused.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('./rtsp-server.py', import.meta.url));

/** The python with GStreamer's bindings (Debian's, not whatever `python3` comes first on PATH). */
const PYTHON = '/usr/bin/python3';

/**
 * An H.264 Annex B stream (access-unit delimiters, keyframe every second, no B-frames) of `source` at `fps` and
 * `height` lines, encoded once into the temp folder.
 */
export async function rtspClip(source: string, fps = 15, height = 720, opts: { still?: boolean } = {}): Promise<string> {
  const dir = join(tmpdir(), 'sightline-rtsp-clips');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `${basename(source).replace(/\.[^.]+$/, '')}-${height}p${fps}${opts.still ? '-still' : ''}.h264`);
  if (existsSync(out)) return out;
  const temp = `${out}.${process.pid}.tmp`;
  let input = ['-i', source];
  if (opts.still) {
    // A still picture: the average of the clip's first 100 frames (moving people fade out), looped.
    const png = `${temp}.png`;
    await run('ffmpeg', ['-v', 'error', '-y', '-i', source, '-vf', "tmix=frames=100,select='eq(n,99)'", '-frames:v', '1', png]);
    input = ['-loop', '1', '-framerate', String(fps), '-t', '10', '-i', png];
  }
  await run('ffmpeg', [
    '-v', 'error', '-y', ...input, '-an', '-vf', `fps=${fps},scale=-2:${height}`,
    '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'main', '-pix_fmt', 'yuv420p', '-g', String(fps), '-bf', '0',
    '-x264-params', 'repeat-headers=1:aud=1', '-bsf:v', 'h264_mp4toannexb', '-f', 'h264', temp,
  ]);
  renameSync(temp, out);
  rmSync(`${temp}.png`, { force: true });
  return out;
}

/**
 * UUID of the SEI message in which a stamping server puts each frame's send time: 13 ASCII digits, milliseconds on
 * CLOCK_MONOTONIC, the clock `process.hrtime` reads (shared by every process of the machine, never jumps).
 */
export const STAMP_UUID = 'SIGHTLINE-STAMP!';

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A running RTSP server; it can be stopped, restarted on the same port, frozen and thawed. */
export interface RtspServer {
  readonly port: number;
  url(mount: string): string;
  /** Stops the server (SIGTERM, then SIGKILL) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same mounts. */
  restart(): Promise<void>;
  /** SIGSTOP: the server keeps its sockets but answers nothing (a frozen camera). */
  freeze(): void;
  /** SIGCONT. */
  thaw(): void;
  /** Every client's PLAY and end so far, in order: who pulled which stream when (wall-clock ms). */
  clients(): readonly RtspClientEvent[];
}

/** A client starting to play a stream, or its connection closing. */
export interface RtspClientEvent {
  readonly kind: 'play' | 'closed';
  readonly atMs: number;
  /** The mount without its slash. */
  readonly mount: string;
  readonly userAgent: string;
}

/**
 * Starts the server with `mounts` (name -> .h264 file from `rtspClip`); resolves once it listens. `stamp`: every frame
 * carries the monotonic time it left the server (see `STAMP_UUID`).
 */
export async function startRtspServer(
  mounts: Record<string, string>,
  opts: { fps?: number; port?: number; stamp?: boolean } = {},
): Promise<RtspServer> {
  const port = opts.port ?? (await freePort());
  const args = [SCRIPT, '--port', String(port), '--fps', String(opts.fps ?? 15), ...(opts.stamp ? ['--stamp'] : []), ...Object.entries(mounts).flatMap(([n, f]) => ['--mount', `${n}=${f}`])];
  let child: ChildProcess | null = null;
  const clientEvents: RtspClientEvent[] = [];
  /** Sessions playing now, by mount and User-Agent: a server that stops ends them (it prints nothing then). */
  const openPlays = new Map<string, number>();
  const launch = () =>
    new Promise<void>((resolve, reject) => {
      const c = spawn(PYTHON, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      c.once('error', (err: NodeJS.ErrnoException) =>
        reject(new Error(`cannot run ${PYTHON} for the RTSP server (${err.message}); install python3-gi and gir1.2-gst-rtsp-server-1.0`)),
      );
      child = c;
      c.on('exit', () => {
        const atMs = Date.now();
        for (const [key, n] of openPlays) {
          const [mount, userAgent] = key.split('\n') as [string, string];
          for (let i = 0; i < n; i++) clientEvents.push({ kind: 'closed', atMs, mount, userAgent });
        }
        openPlays.clear();
      });
      let err = '';
      const timer = setTimeout(() => reject(new Error(`RTSP server did not start in 10 s: ${err}`)), 10_000);
      c.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      let pending = '';
      c.stdout!.on('data', (d: Buffer) => {
        pending += d.toString();
        const lines = pending.split('\n');
        pending = lines.pop()!;
        for (const line of lines) {
          const m = /^CLIENT (PLAY|CLOSED) (\d+) \/(\S*) (.*)$/.exec(line);
          if (!m) continue;
          const e: RtspClientEvent = { kind: m[1] === 'PLAY' ? 'play' : 'closed', atMs: Number(m[2]), mount: m[3]!, userAgent: m[4]! };
          clientEvents.push(e);
          const key = `${e.mount}\n${e.userAgent}`;
          openPlays.set(key, Math.max(0, (openPlays.get(key) ?? 0) + (e.kind === 'play' ? 1 : -1)));
        }
        if (d.toString().includes('READY')) {
          clearTimeout(timer);
          resolve();
        }
      });
      c.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`RTSP server exited with code ${code}: ${err}`));
      });
    });
  await launch();
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGCONT');
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(t);
  };
  return {
    port,
    url: (mount) => `rtsp://127.0.0.1:${port}/${mount}`,
    stop,
    restart: async () => {
      await stop();
      await launch();
    },
    freeze: () => child?.kill('SIGSTOP'),
    thaw: () => child?.kill('SIGCONT'),
    clients: () => clientEvents,
  };
}
