import type { DetectorImageSpec } from '../core/types.ts';

/** What to decode and how (pure data for building an ffmpeg command line). */
export interface DecodeSpec {
  readonly url: string;
  /** Output frame size in pixels. */
  readonly width: number;
  readonly height: number;
  /** Output frame rate; null keeps every source frame. */
  readonly fps: number | null;
  /** Read files at their native rate (live playback) instead of as fast as possible. */
  readonly realtime: boolean;
  /** Files only: loop forever. */
  readonly loop: boolean;
  readonly rtspTransport: 'tcp' | 'udp';
  /** Socket timeout for network sources, in milliseconds. */
  readonly timeoutMs: number;
  /**
   * When set, a second output on file descriptor 3: the same frames scaled to this size as planar `gbrp` bytes, or
   * `gbrpf32le` floats 0-1 (the detector's input size and range, so it copies planes instead of resampling).
   */
  readonly detectorImage?: DetectorImageSpec | null;
  /**
   * Stamp frames with the time they arrive instead of the stream's own timestamps: for streams without real ones
   * (MJPEG over HTTP, which ffmpeg otherwise times at an assumed 25 fps).
   */
  readonly wallclockTimestamps?: boolean;
}

/** File descriptor of the detector-size output. */
export const DETECTOR_OUTPUT_FD = 3;

/** True when the URL is a network stream rather than a local file. */
export function isNetworkUrl(url: string): boolean {
  return /^(rtsps?|https?|rtmp|srt|udp|tcp):\/\//i.test(url);
}

/** Input options shared by ffmpeg and ffprobe for a source URL. */
export function inputArgs(url: string, rtspTransport: 'tcp' | 'udp', timeoutMs: number): string[] {
  if (/^rtsps?:\/\//i.test(url)) return ['-rtsp_transport', rtspTransport, '-timeout', String(timeoutMs * 1000)];
  if (/^https?:\/\//i.test(url)) return ['-rw_timeout', String(timeoutMs * 1000)];
  return [];
}

/** Frames leave as they were selected: the raw muxer would otherwise duplicate frames to a constant rate. */
const NO_DUPLICATES = ['-fps_mode', 'passthrough'];

/**
 * The filter that brings the frame rate down to `spec.fps`. Live sources keep a frame when at least 0.9 of a frame
 * interval passed since the last kept one: never a duplicate, so a gap in the stream (a camera's hiccup, the jump at
 * the start of an RTSP session) does not turn into made-up frames. Offline analysis uses `fps`, which gives exactly
 * `fps` frames per second of video.
 */
function rateFilter(spec: DecodeSpec): string | null {
  if (spec.fps === null) return null;
  if (!spec.realtime) return `fps=${spec.fps}`;
  return `select='isnan(prev_selected_t)+gte(t-prev_selected_t,${+(0.9 / spec.fps).toFixed(4)})'`;
}

/** Builds the ffmpeg arguments that decode a source to packed RGB24 frames on stdout (pure). */
export function ffmpegDecodeArgs(spec: DecodeSpec): string[] {
  const file = !isNetworkUrl(spec.url);
  const filters = [rateFilter(spec), `scale=${spec.width}:${spec.height}:flags=fast_bilinear`].filter(Boolean);
  const d = spec.detectorImage;
  const detFormat = d?.float ? 'gbrpf32le' : 'gbrp';
  const outputs = d
    ? [
        '-filter_complex',
        `[0:v]${filters.join(',')},format=rgb24,split=2[full][small];[small]scale=${d.width}:${d.height}:flags=bilinear,format=${detFormat}[det]`,
        '-map', '[full]', ...NO_DUPLICATES, '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1',
        '-map', '[det]', ...NO_DUPLICATES, '-pix_fmt', detFormat, '-f', 'rawvideo', `pipe:${DETECTOR_OUTPUT_FD}`,
      ]
    : ['-vf', filters.join(','), ...NO_DUPLICATES, '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1'];
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    ...(file && spec.realtime ? ['-re'] : []),
    ...(file && spec.loop ? ['-stream_loop', '-1'] : []),
    ...inputArgs(spec.url, spec.rtspTransport, spec.timeoutMs),
    ...(spec.wallclockTimestamps ? ['-use_wallclock_as_timestamps', '1'] : []),
    '-i', spec.url,
    '-an', '-sn', '-dn',
    ...outputs,
  ];
}

/** Output height for a target width that keeps the source aspect ratio, rounded to an even number. */
export function scaledHeight(srcWidth: number, srcHeight: number, width: number): number {
  return Math.max(2, Math.round((width * srcHeight) / srcWidth / 2) * 2);
}
