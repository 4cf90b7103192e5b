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
  /** The User-Agent an RTSP source is asked with (a camera's or NVR's log then names the Sightline node); absent: ffmpeg's. */
  readonly userAgent?: string | undefined;
  /**
   * When set, a second output on file descriptor 3: the same frames scaled to this size as planar `gbrp` bytes, or
   * `gbrpf32le` floats 0-1 (the detector's input size and range, so it copies planes instead of resampling).
   */
  readonly detectorImage?: DetectorImageSpec | null;
  /**
   * With `detectorImage` and no `media`: decode the detector image alone, no whole picture on stdout (an offline
   * analysis that nothing needs the whole picture for). The detector image is made by the same filters either way.
   */
  readonly detectorImageOnly?: boolean;
  /**
   * Stamp frames with the time they arrive instead of the stream's own timestamps: for streams without real ones
   * (MJPEG over HTTP, which ffmpeg otherwise times at an assumed 25 fps).
   */
  readonly wallclockTimestamps?: boolean;
  /**
   * When set, a third output on file descriptor 4: the video as fragmented MP4 (one fragment per frame) for the live
   * view and the recorder, stream-copied, or re-encoded to H.264 when `transcode` (a codec browsers cannot play); and
   * a fourth on fd 5: each decoded frame's presentation time, so frames can be placed on the media's timeline.
   */
  readonly media?: { readonly transcode: boolean } | null;
  /**
   * Decode at background CPU priority (batch jobs): live cameras' decoders run at normal priority and must win the
   * cores when both want them.
   */
  readonly background?: boolean;
}

/** Whether `spec` decodes the detector image alone (no whole picture on stdout): `detectorImageOnly`, a detector image, no media. */
export function decodesDetectorImageOnly(spec: DecodeSpec): boolean {
  return spec.detectorImageOnly === true && !!spec.detectorImage && !spec.media;
}

/** File descriptor of the detector-size output. */
export const DETECTOR_OUTPUT_FD = 3;
/** File descriptor of the fragmented-MP4 output. */
export const MEDIA_OUTPUT_FD = 4;
/**
 * File descriptor of the decoded frames' timestamps (with the fragmented-MP4 output): ffmpeg's `mkvtimestamp_v2` text,
 * a header line then each delivered frame's presentation time in milliseconds, one line per frame, in frame order.
 */
export const TIMESTAMPS_OUTPUT_FD = 5;

/** MP4 flags for a stream of small fragments: init first, one fragment per frame, offsets relative to each moof. */
const FRAGMENTED_MP4 = ['-f', 'mp4', '-movflags', 'empty_moov+default_base_moof+frag_every_frame'];

/** Output options of the fragmented-MP4 output (stream copy, or H.264 with a keyframe every 2 s when transcoding). */
function mediaOutput(media: { readonly transcode: boolean }): string[] {
  const codec = media.transcode
    ? ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p', '-force_key_frames', 'expr:gte(t,n_forced*2)']
    : ['-c:v', 'copy'];
  return ['-map', '0:v:0', ...codec, ...FRAGMENTED_MP4, `pipe:${MEDIA_OUTPUT_FD}`];
}

/** True when the URL is a network stream rather than a local file. */
export function isNetworkUrl(url: string): boolean {
  return /^(rtsps?|https?|rtmp|srt|udp|tcp):\/\//i.test(url);
}

/** Whether the URL is an RTSP stream. */
export const isRtsp = (url: string) => /^rtsps?:\/\//i.test(url);

/** Input options shared by ffmpeg and ffprobe for a source URL. */
export function inputArgs(url: string, rtspTransport: 'tcp' | 'udp', timeoutMs: number, userAgent?: string): string[] {
  if (isRtsp(url)) return ['-rtsp_transport', rtspTransport, '-timeout', String(timeoutMs * 1000), ...(userAgent ? ['-user_agent', userAgent] : [])];
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

/**
 * Builds the ffmpeg arguments that decode a source to packed RGB24 frames on stdout (pure). With a detector image or a
 * media output, the decoded frames are split in one filter graph so every output carries the same selected frames: the
 * detector-size planes on fd 3, and with the media output each frame's presentation time on fd 5 (the live view draws
 * a frame's analysis on that very frame).
 */
export function ffmpegDecodeArgs(spec: DecodeSpec): string[] {
  const file = !isNetworkUrl(spec.url);
  const filters = [rateFilter(spec), `scale=${spec.width}:${spec.height}:flags=fast_bilinear`].filter(Boolean);
  const d = spec.detectorImage;
  const detFormat = d?.float ? 'gbrpf32le' : 'gbrp';
  const full = [...NO_DUPLICATES, '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1'];
  const branches = ['full', ...(d ? ['small'] : []), ...(spec.media ? ['ts'] : [])];
  let outputs: string[];
  // The detector image is scaled from the decoded picture in its own (YUV) format, in the same pass that converts it:
  // at 1080p, scaling the RGB whole picture instead cost 3-4 ms of CPU a frame more.
  const rate = rateFilter(spec);
  const small = d ? `scale=${d.width}:${d.height}:flags=bilinear,format=${detFormat}[det]` : '';
  if (d && decodesDetectorImageOnly(spec)) {
    outputs = ['-filter_complex', `[0:v]${rate ? `${rate},` : ''}${small}`, '-map', '[det]', ...NO_DUPLICATES, '-pix_fmt', detFormat, '-f', 'rawvideo', `pipe:${DETECTOR_OUTPUT_FD}`];
  } else if (branches.length === 1) outputs = ['-vf', filters.join(','), ...full];
  else {
    const graph = [`[0:v]${rate ? `${rate},` : ''}split=${branches.length}${branches.map((b) => `[${b}]`).join('')}`, `[full]${filters.slice(rate ? 1 : 0).join(',')},format=rgb24[rgb]`];
    if (d) graph.push(`[small]${small}`);
    outputs = ['-filter_complex', graph.join(';'), '-map', '[rgb]', ...full];
    if (d) outputs.push('-map', '[det]', ...NO_DUPLICATES, '-pix_fmt', detFormat, '-f', 'rawvideo', `pipe:${DETECTOR_OUTPUT_FD}`);
    // wrapped_avframe passes the frame by reference (nothing is encoded); the input's own time base keeps the times
    // exact (the default, one over a guessed frame rate, rounds them to that step); each line is flushed as written.
    if (spec.media) {
      outputs.push('-map', '[ts]', ...NO_DUPLICATES, '-enc_time_base', '-1', '-c:v', 'wrapped_avframe', '-flush_packets', '1', '-f', 'mkvtimestamp_v2', `pipe:${TIMESTAMPS_OUTPUT_FD}`);
    }
  }
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    ...(file && spec.realtime ? ['-re'] : []),
    ...(file && spec.loop ? ['-stream_loop', '-1'] : []),
    ...inputArgs(spec.url, spec.rtspTransport, spec.timeoutMs, spec.userAgent),
    ...(spec.wallclockTimestamps ? ['-use_wallclock_as_timestamps', '1'] : []),
    // ffmpeg probes a live RTSP stream for up to 5 s and then delivers all of it at once; the stream was already
    // probed, so half a second is enough and the first frames are current.
    ...(isRtsp(spec.url) ? ['-analyzeduration', '500000'] : []),
    '-i', spec.url,
    '-an', '-sn', '-dn',
    ...outputs,
    ...(spec.media ? mediaOutput(spec.media) : []),
  ];
}

/** Output height for a target width that keeps the source aspect ratio, rounded to an even number. */
export function scaledHeight(srcWidth: number, srcHeight: number, width: number): number {
  return Math.max(2, Math.round((width * srcHeight) / srcWidth / 2) * 2);
}
