import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { AppError } from '../core/errors.ts';
import { inputArgs, isNetworkUrl, isRtsp } from './ffmpeg-args.ts';
import { redactUrl } from './redact.ts';

/** What ffprobe tells about a video source. */
export interface VideoInfo {
  readonly width: number;
  readonly height: number;
  /** Average frame rate; null when unknown (live streams may not say). */
  readonly fps: number | null;
  /** Number of frames when the container says; null otherwise. */
  readonly frameCount: number | null;
  readonly durationMs: number | null;
  readonly codec: string;
}

function ratio(s: string | undefined): number | null {
  if (!s) return null;
  const [a, b] = s.split('/').map(Number);
  if (!a || !Number.isFinite(a)) return null;
  const v = b ? a / b : a;
  return Number.isFinite(v) && v > 0 && v < 1000 ? v : null;
}

/** Probes the first video stream of a file or URL; SOURCE_UNAVAILABLE with the reason when it cannot be opened. */
export async function probeVideo(url: string, opts: { rtspTransport?: 'tcp' | 'udp'; timeoutMs?: number; userAgent?: string | undefined } = {}): Promise<VideoInfo> {
  const shown = redactUrl(url);
  if (!isNetworkUrl(url) && !(await access(url).then(() => true, () => false))) {
    throw new AppError('SOURCE_UNAVAILABLE', `video file ${shown} does not exist or cannot be read; check the path in source.url`);
  }
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const args = [
    '-v', 'error', ...inputArgs(url, opts.rtspTransport ?? 'tcp', timeoutMs, opts.userAgent),
    // Half a second of an RTSP stream tells its size and rate (the decoder reads as much); the default 5 s made a camera
    // take about 3 s longer to start (measured on the test RTSP server: 3.1 s against 1.0 s).
    ...(isRtsp(url) ? ['-analyzeduration', '500000'] : []),
    '-select_streams', 'v:0', '-show_entries', 'stream=width,height,avg_frame_rate,r_frame_rate,nb_frames,codec_name:format=duration',
    '-of', 'json', url,
  ];
  const out = await new Promise<string>((resolve, reject) => {
    execFile('ffprobe', args, { timeout: timeoutMs + 5000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) {
        const e = err as NodeJS.ErrnoException & { killed?: boolean };
        if (e.code === 'ENOENT') {
          reject(new AppError('FFMPEG_MISSING', 'ffprobe is not installed; install it with: apt-get install -y ffmpeg'));
          return;
        }
        const detail = redactUrl(String(stderr).trim().split('\n').pop() ?? '') || (e.killed ? `no answer within ${timeoutMs} ms` : e.message);
        reject(new AppError('SOURCE_UNAVAILABLE', `cannot open ${shown}: ${detail}`));
        return;
      }
      resolve(stdout);
    });
  });
  const json = JSON.parse(out) as { streams?: Record<string, string | number>[]; format?: { duration?: string } };
  const s = json.streams?.[0];
  if (!s || !s['width'] || !s['height']) throw new AppError('SOURCE_UNAVAILABLE', `expected a video stream in ${shown}, found none`);
  const duration = Number(json.format?.duration);
  const frames = Number(s['nb_frames']);
  return {
    width: Number(s['width']),
    height: Number(s['height']),
    fps: ratio(String(s['avg_frame_rate'])) ?? ratio(String(s['r_frame_rate'])),
    frameCount: Number.isFinite(frames) && frames > 0 ? frames : null,
    durationMs: Number.isFinite(duration) && duration > 0 ? duration * 1000 : null,
    codec: String(s['codec_name'] ?? 'unknown'),
  };
}
