/**
 * Recording for the whole server: one `SegmentRecorder` per recording camera, the mode's keep/delete decision for each
 * closed segment, retention (age, size per camera and in total, free-space floor) on a timer, and event clips.
 */
import type { Logger } from 'pino';
import type { CameraConfig } from '../config/schema.ts';
import { errorMessage } from '../core/errors.ts';
import type { SightEvent } from '../core/types.ts';
import type { CameraMediaStream } from '../live/media-stream.ts';
import type { EventStore } from '../store/event-repository.ts';
import { cutClip } from './event-clip.ts';
import { addActivityInstant, pruneActivity, segmentVerdict, type ActivityWindow } from './recording-policy.ts';
import type { RecordingStore } from './recording-store.ts';
import { planRetention, type SegmentInfo } from './retention.ts';
import { SegmentRecorder } from './segment-recorder.ts';

const MB = 1024 * 1024;
/** Motion instants closer than this are one window. */
const MOTION_GAP_MS = 2000;

/** Server-wide retention settings (config `recording`). */
export interface RecordingSettings {
  readonly maxSizeMb: number;
  readonly minFreeMb: number;
  readonly checkSeconds: number;
}

export interface RecordingDeps {
  readonly store: RecordingStore;
  readonly events: EventStore;
  readonly log: Logger;
  readonly now: () => number;
  /** Free bytes on the recordings disk (default: statfs of the media folder). */
  readonly freeBytes?: () => Promise<number | null>;
}

/** What `GET /api/recordings/status` shows. */
export interface RecordingStatus {
  readonly segments: number;
  readonly totalBytes: number;
  readonly freeBytes: number | null;
  readonly warnings: readonly string[];
  readonly deleted: Readonly<Record<string, number>>;
}

interface CameraRecording {
  readonly camera: CameraConfig;
  readonly recorder: SegmentRecorder;
  /** Motion windows, oldest first (motion mode). */
  readonly motion: ActivityWindow[];
  /** Each event's window by event id, updated as the event changes (events mode). */
  readonly events: Map<string, ActivityWindow>;
  unsubscribe: () => void;
}

export class Recordings {
  /** Read on every tick, so a change to the object takes effect at the next one. */
  private settings: RecordingSettings;
  private readonly deps: RecordingDeps;
  private readonly cameras = new Map<string, CameraRecording>();
  private readonly configs = new Map<string, CameraConfig>();
  /** Closed segments whose keep/delete decision waits for possible activity within the pre-roll. */
  private readonly pending = new Set<SegmentInfo>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> = Promise.resolve();
  private warnings: string[] = [];
  private freeBytes: number | null = null;
  private readonly deleted: Record<string, number> = { age: 0, 'camera-size': 0, 'total-size': 0, 'free-space': 0, mode: 0 };

  constructor(settings: RecordingSettings, cameras: readonly CameraConfig[], deps: RecordingDeps) {
    this.settings = settings;
    this.deps = deps;
    for (const c of cameras) this.configs.set(c.id, c);
  }

  get store(): RecordingStore {
    return this.deps.store;
  }

  /** Rebuilds the index from disk (repairing half-written segments) and starts the retention timer. */
  async start(): Promise<void> {
    const report = await this.deps.store.rebuild();
    this.deps.log.info(report, 'recording index rebuilt');
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.settings.checkSeconds * 1000);
    this.timer.unref();
  }

  /** Starts recording a camera's stream (cameras with `record.mode: off` are ignored). */
  attach(camera: CameraConfig, media: CameraMediaStream): void {
    this.configs.set(camera.id, camera);
    if (camera.record.mode === 'off') return;
    const recorder = new SegmentRecorder(camera.id, camera.record.segmentSeconds * 1000, this.deps.store, this.deps.log.child({ camera: camera.id }), (s) =>
      this.decide(s),
    );
    const rec: CameraRecording = { camera, recorder, motion: [], events: new Map(), unsubscribe: () => undefined };
    rec.unsubscribe = media.subscribe(recorder, this.deps.now());
    this.cameras.set(camera.id, rec);
  }

  /** Stops recording a camera (removed, or about to restart); its segments stay, under retention as before. */
  async detach(cameraId: string): Promise<void> {
    const rec = this.cameras.get(cameraId);
    if (!rec) return;
    this.cameras.delete(cameraId);
    rec.unsubscribe();
    await rec.recorder.stop();
  }

  /**
   * The cameras' recording settings (rolls, age and size limits) and the global ones, in force from the next tick. A
   * camera no longer listed keeps its segments under the global limits only; its own limits go with it.
   */
  configure(settings: RecordingSettings, cameras: readonly CameraConfig[]): void {
    const interval = settings.checkSeconds !== this.settings.checkSeconds;
    this.settings = settings;
    this.configs.clear();
    for (const c of cameras) this.configs.set(c.id, c);
    if (interval && this.timer) {
      clearInterval(this.timer);
      this.timer = setInterval(() => void this.tick(), this.settings.checkSeconds * 1000);
      this.timer.unref();
    }
  }

  /** A frame of a camera had motion (or, without motion detection, tracked objects) at `timeMs`. */
  motion(cameraId: string, timeMs: number): void {
    const rec = this.cameras.get(cameraId);
    if (rec?.camera.record.mode === 'motion') addActivityInstant(rec.motion, timeMs, MOTION_GAP_MS);
  }

  /** An event started, changed or ended. */
  event(event: SightEvent): void {
    const rec = this.cameras.get(event.cameraId);
    if (rec?.camera.record.mode === 'events') rec.events.set(event.id, { startMs: event.startMs, endMs: event.endMs });
  }

  private roll(cameraId: string) {
    const r = this.configs.get(cameraId)?.record;
    return { preMs: (r?.preRollSeconds ?? 0) * 1000, postMs: (r?.postRollSeconds ?? 0) * 1000 };
  }

  /** Applies the camera's mode to a closed segment: keep, delete, or decide on a later tick. */
  private decide(segment: SegmentInfo): void {
    const rec = this.cameras.get(segment.cameraId);
    if (!rec) return;
    const activity = [...rec.motion, ...rec.events.values()];
    const verdict = segmentVerdict(rec.camera.record.mode, segment, activity, this.roll(segment.cameraId), this.deps.now());
    if (verdict === 'wait') this.pending.add(segment);
    else {
      this.pending.delete(segment);
      if (verdict === 'delete') {
        this.deleted['mode']!++;
        void this.deps.store.remove(segment).catch((err) => this.deps.log.warn({ err: errorMessage(err) }, 'deleting recording failed'));
      }
    }
  }

  /** Re-decides waiting segments and applies retention; runs on the timer, one at a time. */
  tick(): Promise<void> {
    this.ticking = this.ticking.then(() => this.runTick()).catch((err) => this.deps.log.error({ err: errorMessage(err) }, 'recording retention failed'));
    return this.ticking;
  }

  private async runTick(): Promise<void> {
    for (const rec of this.cameras.values()) await rec.recorder.settled();
    const now = this.deps.now();
    for (const s of [...this.pending]) this.decide(s);
    for (const rec of this.cameras.values()) {
      // A segment waits at most the pre-roll after its end, so activity that ended an hour (plus the rolls) ago can no
      // longer keep one that is still undecided.
      const { preMs, postMs } = this.roll(rec.camera.id);
      const cutoff = now - 3_600_000 - preMs - postMs;
      pruneActivity(rec.motion, cutoff);
      for (const [id, w] of rec.events) if (w.endMs !== null && w.endMs < cutoff) rec.events.delete(id);
    }
    const kept = await this.deps.events.list({ keep: true, limit: 500 });
    const isProtected = (s: SegmentInfo) =>
      kept.some((e) => {
        if (e.cameraId !== s.cameraId) return false;
        const { preMs, postMs } = this.roll(e.cameraId);
        return e.startMs - preMs <= s.endMs && (e.endMs === null ? Infinity : e.endMs + postMs) >= s.startMs;
      });
    this.freeBytes = await (this.deps.freeBytes ?? (() => this.deps.store.freeBytes()))();
    const plan = planRetention(
      this.deps.store.segments().filter((s) => !this.pending.has(s)),
      {
        nowMs: now,
        maxAgeMs: (id) => (this.configs.get(id)?.record.maxAgeHours ?? 0) * 3_600_000,
        maxCameraBytes: (id) => (this.configs.get(id)?.record.maxSizeMb ?? 0) * MB,
        maxTotalBytes: this.settings.maxSizeMb * MB,
        freeBytes: this.freeBytes,
        minFreeBytes: this.settings.minFreeMb * MB,
        isProtected,
      },
    );
    for (const { segment, reason } of plan.deletions) {
      await this.deps.store.remove(segment).catch((err) => this.deps.log.warn({ err: errorMessage(err), segment: segment.path }, 'deleting recording failed'));
      this.deleted[reason]!++;
    }
    for (const w of plan.warnings) if (!this.warnings.includes(w)) this.deps.log.warn(w);
    this.warnings = plan.warnings;
  }

  status(): RecordingStatus {
    return {
      segments: this.deps.store.segments().length,
      totalBytes: this.deps.store.totalBytes(),
      freeBytes: this.freeBytes,
      warnings: this.warnings,
      deleted: { ...this.deleted },
    };
  }

  /** The event's clip with the camera's pre- and post-roll, or null when nothing of it was recorded. */
  async clip(event: SightEvent): Promise<{ data: Buffer; startMs: number; endMs: number } | null> {
    const { preMs, postMs } = this.roll(event.cameraId);
    return this.range(event.cameraId, event.startMs - preMs, (event.endMs ?? this.deps.now()) + postMs);
  }

  /** A camera's recording from `from` to `to` (ms) as one MP4, or null when nothing of it was recorded. */
  async range(cameraId: string, from: number, to: number): Promise<{ data: Buffer; startMs: number; endMs: number } | null> {
    const files = this.deps.store.overlapping(cameraId, from, to);
    const segments = [];
    for (const f of files) {
      const data = await this.deps.store.read(f.path);
      if (data) segments.push({ startMs: f.startMs, data });
    }
    return cutClip(segments, from, to);
  }

  /** Closes every segment being written and stops the timer. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const rec of this.cameras.values()) {
      rec.unsubscribe();
      await rec.recorder.stop();
    }
    await this.ticking;
  }
}
