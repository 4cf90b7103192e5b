/**
 * Probes a video source before it becomes a camera (`POST /api/cameras/probe`): ffprobe for the codec, size and rate,
 * then ffmpeg for one frame as JPEG, both within one deadline. A failure says why in words a user acts on:
 * unreachable, auth failed, not found, no video, timeout.
 */
import { execFile } from 'node:child_process';
import { errorMessage } from '../core/errors.ts';
import { inputArgs } from './ffmpeg-args.ts';
import { probeVideo } from './ffprobe.ts';
import { redactUrl } from './redact.ts';

export type ProbeReason = 'unreachable' | 'auth failed' | 'not found' | 'no video' | 'timeout' | 'unsupported';

export interface ProbeResult {
  readonly ok: boolean;
  readonly url: string;
  readonly reason: ProbeReason | null;
  readonly message: string | null;
  readonly codec: string | null;
  readonly width: number | null;
  readonly height: number | null;
  readonly fps: number | null;
  /** One frame as a `data:image/jpeg;base64,...` URL, at most 640 pixels wide; null when none could be taken. */
  readonly snapshot: string | null;
  readonly elapsedMs: number;
}

/** What a probe failure's text means (pure; ffmpeg's and the network's wording). */
export function probeReason(message: string): ProbeReason {
  const m = message.toLowerCase();
  // Status codes as whole words: a URL's port (e.g. :40125) must not read as 401.
  if (/\b(401|403)\b|unauthori[sz]ed|forbidden|authentication|auth failed/.test(m)) return 'auth failed';
  if (/\b404\b|not found|no such file|does not exist|cannot be read/.test(m)) return 'not found';
  if (/timed out|timeout|no answer within/.test(m)) return 'timeout';
  if (/refused|unreachable|no route|name or service|resolve|network|connection|host/.test(m)) return 'unreachable';
  if (/expected a video stream|no video|does not contain any stream|invalid data found|output file #0 does not contain/.test(m)) return 'no video';
  return 'unsupported';
}

/** Probes `url` within `timeoutMs` (ffprobe, then one frame with what time is left). */
export async function probeSource(url: string, opts: { rtspTransport?: 'tcp' | 'udp'; timeoutMs?: number; now?: () => number } = {}): Promise<ProbeResult> {
  const now = opts.now ?? Date.now;
  const started = now();
  const timeoutMs = opts.timeoutMs ?? 6000;
  const transport = opts.rtspTransport ?? 'tcp';
  const shown = redactUrl(url);
  const base = { url: shown, codec: null, width: null, height: null, fps: null, snapshot: null };
  let info;
  try {
    info = await probeVideo(url, { rtspTransport: transport, timeoutMs });
  } catch (err) {
    const message = errorMessage(err);
    return { ...base, ok: false, reason: probeReason(message), message, elapsedMs: now() - started };
  }
  const left = Math.max(1000, timeoutMs - (now() - started));
  const snapshot = await grabJpeg(url, transport, left).catch(() => null);
  return {
    ok: true, url: shown, reason: null, message: snapshot ? null : 'the source answered but no frame could be decoded in time',
    codec: info.codec, width: info.width, height: info.height, fps: info.fps === null ? null : Math.round(info.fps * 100) / 100,
    snapshot: snapshot ? `data:image/jpeg;base64,${snapshot.toString('base64')}` : null, elapsedMs: now() - started,
  };
}

/** One frame of the source as JPEG, at most 640 pixels wide. */
function grabJpeg(url: string, transport: 'tcp' | 'udp', timeoutMs: number): Promise<Buffer> {
  const args = ['-v', 'error', ...inputArgs(url, transport, timeoutMs), '-i', url, '-frames:v', '1', '-vf', "scale='min(640,iw)':-2", '-f', 'image2', '-c:v', 'mjpeg', 'pipe:1'];
  return new Promise((resolve, reject) => {
    execFile('ffmpeg', args, { timeout: timeoutMs, encoding: 'buffer', maxBuffer: 8 << 20 }, (err, stdout) => {
      if (err || stdout.length === 0) reject(err ?? new Error('no frame'));
      else resolve(stdout);
    });
  });
}
