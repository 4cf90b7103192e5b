import type { Logger } from 'pino';
import { errorMessage, isAppError } from '../core/errors.ts';
import type { DetectorImageSpec, Frame } from '../core/types.ts';
import type { SourceState, SourceStatus } from '../core/camera-status.ts';
import { backoffDelayMs } from './backoff.ts';
import { isNetworkUrl, scaledHeight } from './ffmpeg-args.ts';
import { startFrameDecoder, type FrameDecoder } from './ffmpeg-frames.ts';
import { probeVideo } from './ffprobe.ts';
import type { LatestQueue } from './latest-queue.ts';
import { RateMeter } from './rate-meter.ts';
import { redactUrl } from './redact.ts';

/** Settings of a live source (resolved URL, no sample: ids). */
export interface LiveSourceOptions {
  readonly url: string;
  readonly loop: boolean;
  readonly rtspTransport: 'tcp' | 'udp';
  /** The User-Agent RTSP sources are asked with; absent: ffmpeg's. */
  readonly userAgent?: string | undefined;
  readonly timeoutMs: number;
  readonly stallTimeoutMs: number;
  readonly fps: number;
  readonly width: number;
  readonly backoffBaseMs?: number;
  readonly backoffCapMs?: number;
  /**
   * Given the decoded frame size, the size of the detector-size planar image to deliver with each frame (ffmpeg scales
   * it in the same pass); absent: frames only.
   */
  readonly detectorImageSpec?: (frameWidth: number, frameHeight: number) => DetectorImageSpec;
  /**
   * Receives the video as fragmented MP4 from the same ffmpeg (stream-copied; re-encoded to H.264 only when the
   * source codec is not H.264, which browsers could not play). Absent: no media output.
   */
  readonly media?: MediaSink;
}

/** Where a source's fragmented MP4 goes (the camera's live stream). */
export interface MediaSink {
  /** A new ffmpeg run starts; the bytes that follow begin with a new init segment. */
  begin(): void;
  data(chunk: Buffer, arrivalMs: number): void;
  /** The run's first decoded frame, with its presentation time (ms on ffmpeg's output timeline). */
  firstFrame(ptsMs: number): void;
}

/** Codecs that are stream-copied into the fragmented MP4; anything else is re-encoded to H.264. */
const PLAYABLE_CODECS = new Set(['h264']);

/** Clock and randomness come in from outside so the source can be tested. */
export interface SourceDeps {
  readonly log: Logger;
  readonly now: () => number;
  readonly random: () => number;
}

/**
 * A supervised live source: runs ffmpeg, pushes frames into the queue, restarts it with capped exponential
 * backoff on every exit or stall, and never throws; problems show up in `status()`.
 */
export class CameraSource {
  private readonly opts: LiveSourceOptions;
  private readonly deps: SourceDeps;
  private readonly queue: LatestQueue<Frame>;
  private readonly meter = new RateMeter();
  private state: SourceState = 'starting';
  private lastError: string | null = null;
  private framesDecoded = 0;
  private restarts = 0;
  private width: number | null = null;
  private height: number | null = null;
  private decoder: FrameDecoder | null = null;
  private stopping = false;
  private wake: (() => void) | null = null;
  private loopDone: Promise<void> | null = null;

  constructor(opts: LiveSourceOptions, queue: LatestQueue<Frame>, deps: SourceDeps) {
    this.opts = opts;
    this.queue = queue;
    this.deps = deps;
  }

  /** Starts the supervision loop in the background. */
  start(): void {
    this.loopDone ??= this.loop();
  }

  /** Stops ffmpeg and the loop; resolves when no process is left. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.decoder?.stop();
    await this.loopDone;
    this.state = 'stopped';
    this.queue.close();
  }

  /** Current state and counters. */
  status(): SourceStatus {
    return {
      state: this.state,
      lastError: this.lastError,
      framesDecoded: this.framesDecoded,
      framesDropped: this.queue.dropped,
      restarts: this.restarts,
      fpsMeasured: Math.round(this.meter.rate(this.deps.now()) * 100) / 100,
      width: this.width,
      height: this.height,
    };
  }

  private setState(state: SourceState, error?: string): void {
    if (error !== undefined) this.lastError = error;
    if (state === this.state) return;
    this.state = state;
    const fields = { url: redactUrl(this.opts.url), state, ...(error ? { error } : {}) };
    if (state === 'backoff' || state === 'stalled' || state === 'offline') this.deps.log.warn(fields, 'camera source state');
    else this.deps.log.info(fields, 'camera source state');
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private async loop(): Promise<void> {
    let attempt = 0;
    let index = 0;
    const file = !isNetworkUrl(this.opts.url);
    while (!this.stopping) {
      this.setState('starting');
      let gotFrame = false;
      try {
        const info = await probeVideo(this.opts.url, { rtspTransport: this.opts.rtspTransport, timeoutMs: this.opts.timeoutMs, userAgent: this.opts.userAgent });
        if (this.stopping) break;
        const width = Math.min(this.opts.width, info.width);
        const height = scaledHeight(info.width, info.height, width);
        this.width = width;
        this.height = height;
        let lastFrameAt = this.deps.now();
        const detectorImage = this.opts.detectorImageSpec?.(width, height) ?? null;
        const media = this.opts.media;
        media?.begin();
        this.decoder = startFrameDecoder(
          {
            url: this.opts.url, width, height, fps: this.opts.fps, realtime: true, loop: file && this.opts.loop,
            rtspTransport: this.opts.rtspTransport, timeoutMs: this.opts.timeoutMs, userAgent: this.opts.userAgent, detectorImage,
            wallclockTimestamps: !file && info.codec === 'mjpeg',
            media: media ? { transcode: !PLAYABLE_CODECS.has(info.codec) } : null,
          },
          (rgb, detectorImage, ptsMs) => {
            const now = this.deps.now();
            lastFrameAt = now;
            if (!gotFrame) {
              gotFrame = true;
              attempt = 0;
              this.setState('online');
              if (ptsMs !== undefined) media?.firstFrame(ptsMs);
            }
            this.framesDecoded++;
            this.meter.tick(now);
            const stamp = ptsMs !== undefined && Number.isFinite(ptsMs) ? { streamPtsMs: ptsMs } : {};
            this.queue.push({ index: index++, timeMs: now, width, height, rgb, ...(detectorImage ? { detectorImage } : {}), ...stamp });
          },
          media ? (chunk) => media.data(chunk, this.deps.now()) : undefined,
        );
        const watchdog = setInterval(() => {
          if (this.deps.now() - lastFrameAt > this.opts.stallTimeoutMs) {
            this.setState('stalled', `no frame for ${this.opts.stallTimeoutMs} ms`);
            void this.decoder?.stop(1000);
          }
        }, Math.min(1000, this.opts.stallTimeoutMs / 4));
        const exit = await this.decoder.exited.finally(() => clearInterval(watchdog));
        this.decoder = null;
        if (this.stopping) break;
        if (file && !this.opts.loop && exit.code === 0) {
          this.setState('ended');
          return;
        }
        const why = exit.stderrTail || (exit.signal ? `ffmpeg killed by ${exit.signal}` : `ffmpeg exited with code ${exit.code}`);
        if (this.state !== 'stalled') this.lastError = why;
      } catch (err) {
        this.decoder = null;
        this.lastError = errorMessage(err);
        if (isAppError(err, 'FFMPEG_MISSING')) this.setState('offline', this.lastError);
      }
      if (this.stopping) break;
      this.restarts++;
      const delay = backoffDelayMs(attempt++, { baseMs: this.opts.backoffBaseMs ?? 1000, capMs: this.opts.backoffCapMs ?? 30_000 }, this.deps.random());
      if (this.state !== 'offline') this.setState('backoff', this.lastError ?? undefined);
      await this.sleep(delay);
    }
  }
}
