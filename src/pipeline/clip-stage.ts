/**
 * A camera's clip-classifier stage for its violence rule: while the rule's gate is open it keeps the last T frames
 * (the whole frame, resized as the model's manifest says) and classifies a window every `strideFrames` frames; the
 * window's score of the watched label reaches the rule in the next frame's `clipScores`. Live, a window due while the
 * previous one is still being classified is dropped, never queued, so a slow model (about a second a window on two
 * cores) cannot hold up detection; offline (`wait`), each window is awaited so the analysis is reproducible.
 */
import type { Frame } from '../core/types.ts';
import type { ClipWindowScore } from '../rules/rule.ts';
import type { ViolenceRule } from '../rules/violence.ts';
import type { ClipScore } from '../vision/clip-classifier.ts';

/** What the stage needs of a clip classifier (vision/clip-classifier.ts). */
export interface ClipClassifierPort {
  readonly spec: { readonly clipFrames: number; readonly clipFps?: number };
  readonly frameCount: number;
  push(frame: Frame): void;
  reset(): void;
  classify(): Promise<ClipScore[] | null>;
}

/** Window scores kept for reports. */
const HISTORY = 1000;

/** Counters of a clip stage. */
export interface ClipStageStats {
  /** Windows classified. */
  windows: number;
  /** Windows due while the previous one was still running (live only). */
  dropped: number;
  /** Frames pushed (while the gate was open). */
  framesPushed: number;
  /** Windows whose classification failed (the error went to `onError`). */
  failed: number;
}

/** The clip stage of one camera. */
export class ClipStage {
  readonly stats: ClipStageStats = { windows: 0, dropped: 0, framesPushed: 0, failed: 0 };
  /** The newest window scores (at most `HISTORY` of them), for reports. */
  readonly history: ClipWindowScore[] = [];
  private readonly times: number[] = [];
  private sinceWindow = 0;
  private inFlight: Promise<void> | null = null;
  private ready: ClipWindowScore[] = [];

  constructor(
    private readonly classifier: ClipClassifierPort,
    /** The violence rule whose gate the stage follows and which its scores are for. */
    readonly rule: ViolenceRule,
    private readonly opts: { readonly label: string; readonly strideFrames: number; readonly wait: boolean; readonly onError: (err: unknown) => void },
  ) {}

  /** Window scores that finished since the last call (for the next frame's rules). */
  takeScores(): ClipWindowScore[] | undefined {
    if (this.ready.length === 0) return undefined;
    const out = this.ready;
    this.ready = [];
    return out;
  }

  /**
   * After the rules saw `frame`: keeps it while the gate is open and classifies a window when one is due. Never
   * throws: a failure goes to `onError`, so a failing stage costs no frame its events.
   */
  async afterFrame(frame: Frame): Promise<void> {
    try {
      await this.step(frame);
    } catch (err) {
      this.opts.onError(err);
    }
  }

  private async step(frame: Frame): Promise<void> {
    const t = this.classifier.spec.clipFrames;
    if (!this.rule.gateOpen) {
      if (this.times.length > 0) {
        this.classifier.reset();
        this.times.length = 0;
      }
      this.sinceWindow = 0;
      return;
    }
    // A model trained on N frames/s is fed frames at that rate (a frame at most every 1000/N ms, with 10 % slack).
    const fps = this.classifier.spec.clipFps;
    const last = this.times[this.times.length - 1];
    if (fps !== undefined && last !== undefined && frame.timeMs - last < 900 / fps) return;
    this.classifier.push(frame);
    this.stats.framesPushed++;
    this.times.push(frame.timeMs);
    if (this.times.length > t) this.times.shift();
    this.sinceWindow++;
    const tried = this.stats.windows + this.stats.dropped + this.stats.failed;
    if (this.times.length < t || (tried > 0 && this.sinceWindow < this.opts.strideFrames)) return;
    if (this.inFlight) {
      this.stats.dropped++;
      this.sinceWindow = 0;
      return;
    }
    this.sinceWindow = 0;
    const startMs = this.times[0]!;
    const endMs = this.times[this.times.length - 1]!;
    const job = this.classifier
      .classify()
      .then((scores) => {
        if (!scores) return;
        this.stats.windows++;
        const w = { startMs, endMs, score: scores.find((s) => s.label === this.opts.label)?.score ?? 0 };
        this.ready.push(w);
        this.history.push(w);
        if (this.history.length > HISTORY) this.history.shift();
      })
      .catch((err) => {
        this.stats.failed++;
        this.opts.onError(err);
      })
      .finally(() => {
        this.inFlight = null;
      });
    this.inFlight = job;
    if (this.opts.wait) await job;
  }

  /** Waits for the window in progress, if any. */
  async drain(): Promise<void> {
    await this.inFlight;
  }
}
