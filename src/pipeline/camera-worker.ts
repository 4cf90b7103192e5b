/**
 * A camera worker: one camera's whole pipeline, built by `createCameraWorker` from its configuration slice and its
 * ports. It pulls frames from its source, runs the analysis chain (motion gate, detector, tracker, rules, events),
 * and hands what comes out to its ports: event versions to the event sink (which stores, then publishes), tracks to
 * the live publisher, counts to the analytics sink. The server, `analyze`, `bench cameras` and `bench recording` all
 * run this same worker; the API sees it only through the `CameraHandle` shape (status, latest frame, live video, grid).
 */
import type { Logger } from 'pino';
import { CameraAnalytics } from '../analytics/camera-analytics.ts';
import type { CameraConfig } from '../config/schema.ts';
import type { CameraStatus } from '../core/camera-status.ts';
import { errorMessage } from '../core/errors.ts';
import type { Frame, Track } from '../core/types.ts';
import type { EventChange } from '../events/event-book.ts';
import type { EventSink } from '../events/event-bus.ts';
import { LatencyWindow } from '../events/latency.ts';
import { RateMeter } from '../ingest/rate-meter.ts';
import { redactUrl } from '../ingest/redact.ts';
import type { MediaListener } from '../live/media-stream.ts';
import { detectGrid, greyFromRgb, type GreyImage, type GridLayout } from '../mosaic/grid-detect.ts';
import type { DetectTimings } from '../vision/detector.ts';
import { CameraProcessor } from './camera-processor.ts';
import type { LivePublisher } from './live-messages.ts';
import type { AnalyticsSink, AppearancePort, FrameSource, MediaFeed, SitePort, SnapshotRenderer } from './ports.ts';
import { cropQuality } from '../fusion/crop-quality.ts';
import type { FrameDetector } from './shared-detector.ts';
import { trackerForCamera } from './tracker-options.ts';
import type { ClipClassifierPort, ClipStageStats } from './clip-stage.ts';
import type { ClipWindowScore } from '../rules/rule.ts';

/** Everything a worker is built from besides its configuration. */
export interface CameraWorkerPorts {
  readonly source: FrameSource;
  readonly detector: FrameDetector;
  /** Encodes snapshots; null: events carry none (offline analysis). */
  readonly renderSnapshot: SnapshotRenderer | null;
  readonly events: EventSink;
  readonly publish: LivePublisher;
  /** Where line and zone counts go; null: not kept. */
  readonly analytics: AnalyticsSink | null;
  /** The camera's live video; null when live view and recording are off (and for tiles). */
  readonly media: MediaFeed | null;
  readonly now: () => number;
  readonly newId: () => string;
  readonly log: Logger;
  /** The clip classifier of the camera's violence rule (with the label it watches); absent: none is run. */
  readonly clipClassifier?: { readonly classifier: ClipClassifierPort; readonly label: string } | null;
  /** The site's map of people; absent: tracks get no plan position or global id. */
  readonly site?: SitePort | null;
  /** Re-id embeddings for the site's cross-camera identity; absent: positions alone. */
  readonly appearance?: AppearancePort | null;
}

/** The mosaic grid of a camera's recent frames. */
export type CameraGrid = GridLayout & { readonly frames: number; readonly width: number; readonly height: number };

/** A running camera, as the server, the CLI and the benchmarks drive it. */
export interface CameraWorker {
  readonly id: string;
  /** Starts the source and the analysis loop. */
  start(): void;
  /** Stops the source, ends open events and waits for the last writes. */
  stop(): Promise<void>;
  /**
   * Puts a changed configuration's name, zones, lines and rules in force from the next frame (`hotChange` says which
   * changes qualify); resolves with the index of that frame, or null when the worker is not running.
   */
  reconfigure(camera: CameraConfig): Promise<number | null>;
  /**
   * Runs another detector from the next frame on, keeping the stream, the tracks and the open events; resolves with
   * that frame's index, or null when the worker is not running.
   */
  swapDetector(detector: FrameDetector): Promise<number | null>;
  /** Resolves when the analysis loop has finished (the source ended or the worker stopped). */
  readonly done: Promise<void>;
  status(): CameraStatus;
  /** The newest analysed frame as JPEG with its tracks drawn, or null before the first frame. */
  latestJpeg(): Promise<Uint8Array | null>;
  /** The newest analysed frame as JPEG with these tracks highlighted (a site event's snapshot), or null before the first frame. */
  snapshotOf(trackIds: readonly number[]): Promise<Uint8Array | null>;
  /** Subscribes to the live video; null when the camera has none. Returns the function that unsubscribes. */
  subscribeMedia(listener: MediaListener): (() => void) | null;
  /** The mosaic grid of the camera's recent frames (throws when there are too few yet). */
  grid(): CameraGrid;
  /** The camera's zones and lines, for overlays. */
  overlays(): CameraOverlays;
  /** Calls `fn` with every frame the camera takes for analysis (mosaic tiles); returns the function that stops it. */
  onFrame(fn: (frame: Frame) => void): () => void;
  /** Time spent per stage of detection, summed over the frames. */
  readonly timings: DetectTimings;
  /** The clip stage's counters and newest window scores (violence rule); null without one. */
  clipReport(): { readonly stats: ClipStageStats; readonly windows: readonly ClipWindowScore[] } | null;
}

/** Geometry drawn over the live video. */
export interface CameraOverlays {
  readonly zones: readonly { readonly id: string; readonly polygon: readonly (readonly [number, number])[] }[];
  readonly lines: readonly { readonly id: string; readonly points: readonly (readonly [number, number])[]; readonly in: 'left' | 'right' }[];
}

/** A camera's zones and lines as overlays are drawn from them. */
export function cameraOverlays(camera: CameraConfig): CameraOverlays {
  return {
    zones: camera.zones.map((z) => ({ id: z.id, polygon: z.polygon })),
    lines: camera.lines.map((l) => ({ id: l.id, points: l.points, in: l.in })),
  };
}

/** Fields whose changes a running worker takes without a restart (`reconfigure`). */
// A calibration is the site's (fusion/site-fusion.ts), not the worker's: a change needs no restart.
const HOT_FIELDS = new Set(['name', 'zones', 'lines', 'rules', 'events', 'calibration']);

/** Whether `next` differs from `previous` in its model (and maybe in hot fields) only: `swapDetector` takes it. */
export function modelChange(previous: CameraConfig, next: CameraConfig): boolean {
  if (previous.detect.model === next.detect.model) return false;
  return hotChange(previous, { ...next, detect: { ...next.detect, model: previous.detect.model } } as CameraConfig);
}

/**
 * Whether `next` differs from `previous` only in what a running worker can take at the next frame: its name, zones,
 * lines and rules (violence rules unchanged: their clip classifier belongs to the worker).
 */
export function hotChange(previous: CameraConfig, next: CameraConfig): boolean {
  const keys = new Set([...Object.keys(previous), ...Object.keys(next)]) as Set<keyof CameraConfig>;
  for (const k of keys) if (!HOT_FIELDS.has(k) && JSON.stringify(previous[k]) !== JSON.stringify(next[k])) return false;
  const violence = (c: CameraConfig) => JSON.stringify(c.rules.filter((r) => r.type === 'violence'));
  return violence(previous) === violence(next);
}

/** Global ids remembered per camera track, for event versions written after the track is gone (oldest forgotten first). */
const GLOBAL_IDS_KEPT = 4096;

/** Grey frames kept for grid detection, at least this far apart (ms): five over 10 s, so that movement across a natural line has time to show it is not a tile edge. */
const GRID_SAMPLE_MS = 2000;
const GRID_FRAMES = 5;

/** Builds a camera's worker from its configuration and ports (nothing runs until `start`). */
export function createCameraWorker(camera: CameraConfig, ports: CameraWorkerPorts): CameraWorker {
  return new Worker(camera, ports);
}

class Worker implements CameraWorker {
  readonly id: string;
  private readonly processor: CameraProcessor;
  private readonly analytics: CameraAnalytics;
  private readonly processedMeter = new RateMeter();
  private readonly latency = new LatencyWindow();
  private readonly frameTaps = new Set<(frame: Frame) => void>();
  private readonly gridFrames: GreyImage[] = [];
  private lastGridFrameMs = -Infinity;
  private framesProcessed = 0;
  private framesReplaced = 0;
  private readonly globalIds = new Map<number, number>();
  /** An embedding call of this camera in flight: frames go on meanwhile and ask again later (live rate first). */
  private embedding = false;
  private latest: { frame: Frame; tracks: readonly Track[] } | null = null;
  private rendered: { index: number; jpeg: Uint8Array } | null = null;
  private analyticsWrites: Promise<void> = Promise.resolve();
  private loop: Promise<void> | null = null;
  private pending: { camera?: CameraConfig; detector?: FrameDetector; resolve: (frameIndex: number | null) => void }[] = [];
  private finished = false;
  private resolveDone!: () => void;
  readonly done: Promise<void>;

  constructor(
    private camera: CameraConfig,
    private readonly ports: CameraWorkerPorts,
  ) {
    this.id = camera.id;
    const clip = ports.clipClassifier
      ? {
          ...ports.clipClassifier,
          // Offline every window is awaited (reproducible); live a window due while one runs is dropped.
          wait: !ports.source.wallClock,
          onError: (err: unknown) => ports.log.error({ err: errorMessage(err) }, 'clip classification failed'),
        }
      : null;
    this.processor = new CameraProcessor(camera, ports.detector, trackerForCamera(camera, ports.detector.manifest.defaultScoreThreshold), ports.newId, clip);
    this.analytics = new CameraAnalytics(camera.id);
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  get timings(): DetectTimings {
    return this.processor.timings;
  }

  clipReport(): { readonly stats: ClipStageStats; readonly windows: readonly ClipWindowScore[] } | null {
    const clip = this.processor.clip;
    return clip ? { stats: { ...clip.stats }, windows: [...clip.history] } : null;
  }

  start(): void {
    if (this.loop) return;
    this.ports.site?.cameraStarted(this.camera.id);
    this.ports.source.start();
    this.loop = this.run().finally(() => {
      this.finished = true;
      for (const p of this.pending.splice(0)) p.resolve(null);
      this.resolveDone();
    });
  }

  reconfigure(camera: CameraConfig): Promise<number | null> {
    if (camera.id !== this.camera.id) throw new Error(`camera "${this.camera.id}" cannot take the configuration of "${camera.id}"`);
    if (!this.loop || this.finished) {
      this.processor.replaceRules(camera, this.latest?.frame.timeMs ?? 0, this.latest?.frame.index ?? 0);
      this.camera = camera;
      return Promise.resolve(null);
    }
    return new Promise((resolve) => this.pending.push({ camera, resolve }));
  }

  swapDetector(detector: FrameDetector): Promise<number | null> {
    if (!this.loop || this.finished) {
      this.processor.replaceDetector(detector);
      return Promise.resolve(null);
    }
    return new Promise((resolve) => this.pending.push({ detector, resolve }));
  }

  async stop(): Promise<void> {
    await this.ports.source.stop();
    if (this.loop) await this.loop;
    else this.resolveDone();
  }

  onFrame(fn: (frame: Frame) => void): () => void {
    this.frameTaps.add(fn);
    return () => this.frameTaps.delete(fn);
  }

  overlays(): CameraOverlays {
    return cameraOverlays(this.camera);
  }

  subscribeMedia(listener: MediaListener): (() => void) | null {
    return this.ports.media ? this.ports.media.subscribe(listener, this.ports.now()) : null;
  }

  grid(): CameraGrid {
    const frames = this.gridFrames;
    if (frames.length < 2) {
      // Not an error: the answer to "is this a mosaic?" is "not known yet", one picture and not sure, with the reason.
      const [width, height] = [frames[0]?.width ?? 0, frames[0]?.height ?? 0];
      return {
        rows: 1, columns: 1, sure: false, confidence: 0, frames: frames.length, width, height,
        tiles: [{ row: 0, column: 0, rect: [0, 0, 1, 1], pixels: [0, 0, width, height] }],
        doubts: [`only ${frames.length} frame(s) so far: grid detection compares frames ${GRID_SAMPLE_MS / 1000} s apart; ask again in a few seconds`],
      };
    }
    return { ...detectGrid(frames), frames: frames.length, width: frames[0]!.width, height: frames[0]!.height };
  }

  status(): CameraStatus {
    const s = this.ports.source.status();
    const now = this.ports.now();
    const lines = this.analytics.lineTotals();
    const zones = this.analytics.zoneOccupancy();
    const zoneLabels = this.processor.rules.zoneCountsByLabel();
    return {
      id: this.camera.id,
      name: this.camera.name ?? this.camera.id,
      url: redactUrl(this.camera.source.url),
      enabled: this.camera.enabled,
      state: s.state,
      lastError: s.lastError,
      framesDecoded: s.framesDecoded,
      framesDropped: s.framesDropped,
      restarts: s.restarts,
      fpsMeasured: s.fpsMeasured,
      width: s.width,
      height: s.height,
      model: this.processor.model.id,
      fpsProcessed: Math.round(this.processedMeter.rate(now) * 100) / 100,
      framesProcessed: this.framesProcessed,
      framesReplaced: this.framesReplaced,
      activeTracks: this.latest?.tracks.length ?? 0,
      openEvents: this.processor.events.openEvents,
      framesWithMotion: this.processor.stats.framesWithMotion,
      detectorCalls: this.processor.stats.detectorCalls,
      framesSkipped: this.processor.stats.framesSkipped,
      lines: this.camera.lines.map((l) => ({ id: l.id, in: lines.get(l.id)?.in ?? 0, out: lines.get(l.id)?.out ?? 0 })),
      zones: [...zones].map(([id, count]) => ({ id, count, labels: zoneLabels.get(id) ?? {} })),
      eventLatency: this.latency.summary(),
    };
  }

  async latestJpeg(): Promise<Uint8Array | null> {
    const latest = this.latest;
    const render = this.ports.renderSnapshot;
    if (!latest || !render) return null;
    if (this.rendered?.index !== latest.frame.index) {
      const overlays = latest.tracks.map((t) => ({ boxXyxy: t.boxXyxy, caption: `${t.label} #${t.id} ${t.score.toFixed(2)}` }));
      this.rendered = { index: latest.frame.index, jpeg: await render(latest.frame, overlays) };
    }
    return this.rendered.jpeg;
  }

  async snapshotOf(trackIds: readonly number[]): Promise<Uint8Array | null> {
    const latest = this.latest;
    const render = this.ports.renderSnapshot;
    if (!latest || !render) return null;
    const overlays = latest.tracks.filter((t) => trackIds.includes(t.id)).map((t) => ({ boxXyxy: t.boxXyxy, caption: `${t.label} ${t.score.toFixed(2)}`, highlight: true }));
    return render(latest.frame, overlays);
  }

  private async run(): Promise<void> {
    const { source, log } = this.ports;
    // Offline, with every frame detected, the next frame is read and its detection started before this one is
    // tracked: the model and the main thread work side by side (ffmpeg is paused, never dropped from, so nothing is
    // lost by reading ahead). Live sources always take their newest frame.
    let ahead: Frame | null | undefined;
    for (;;) {
      const frame = ahead !== undefined ? ahead : await source.next();
      ahead = undefined;
      if (!frame) break;
      await this.takePending(frame);
      if (!source.wallClock && source.readAhead !== false && this.processor.detectsEveryFrame) {
        this.processor.detectAhead(frame);
        ahead = await source.next();
        if (ahead) this.processor.detectAhead(ahead);
      }
      this.sample(frame);
      try {
        await this.analyse(frame);
      } catch (err) {
        log.error({ err: errorMessage(err), frame: frame.index }, 'frame processing failed');
      }
    }
    await this.processor.clip?.drain();
    const last = this.latest?.frame;
    await this.apply(this.processor.finish(last?.timeMs ?? 0, last?.index ?? 0), null);
    this.writeAnalytics(last?.timeMs ?? 0, true);
    await this.analyticsWrites;
  }

  private async analyse(frame: Frame): Promise<void> {
    const result = await this.processor.process(frame);
    if (result === null) {
      this.framesReplaced++; // a newer frame of this camera replaced it at the detector
      return;
    }
    this.framesProcessed++;
    this.processedMeter.tick(this.ports.now());
    this.latest = { frame, tracks: result.tracks };
    const placed = new Map((this.ports.site?.observe(this.camera.id, frame.timeMs, result.tracks, frame.width, frame.height) ?? []).map((p) => [p.trackId, p]));
    for (const p of placed.values()) {
      if (p.globalId === null) continue;
      this.globalIds.delete(p.trackId);
      this.globalIds.set(p.trackId, p.globalId);
      if (this.globalIds.size > GLOBAL_IDS_KEPT) this.globalIds.delete(this.globalIds.keys().next().value!);
    }
    this.embedWanted(frame, result.tracks, placed);
    this.ports.publish({
      type: 'tracks',
      cameraId: this.camera.id,
      frameIndex: frame.index,
      timeMs: frame.timeMs,
      pts: this.ports.media?.presentationTime(frame) ?? null,
      width: frame.width,
      height: frame.height,
      motion: result.motion,
      tracks: result.tracks.map((t) => {
        const p = placed.get(t.id);
        const live = { id: t.id, label: t.label, score: t.score, boxXyxy: t.boxXyxy };
        return p === undefined ? live : { ...live, map: { plan: p.plan, positionM: p.positionM, speedMps: p.speedMps, globalId: p.globalId } };
      }),
    });
    this.analytics.add(frame.timeMs, result.crossings, result.zoneCounts);
    this.writeAnalytics(frame.timeMs, false);
    await this.apply(result.changes, frame);
  }

  /**
   * Sends the crops the site asked for (good ones only: not cut by the frame, not hidden by a nearer person, tall
   * enough) to the re-id model, without waiting: one call per camera in flight, and the frame loop never stops for it.
   */
  private embedWanted(frame: Frame, tracks: readonly Track[], placed: ReadonlyMap<number, { readonly wantsAppearance: boolean }>): void {
    const { appearance, site, log } = this.ports;
    if (!appearance || !site || this.embedding) return;
    const boxes = tracks.map((t) => t.boxXyxy);
    const wanted = tracks.filter((t, i) => placed.get(t.id)?.wantsAppearance === true && cropQuality(boxes, i, { widthPx: frame.width, heightPx: frame.height }).keep);
    if (wanted.length === 0) return;
    this.embedding = true;
    appearance.embed(this.camera.id, frame, wanted.map((t) => t.boxXyxy))
      .then((vectors) => site.addAppearance(this.camera.id, wanted.flatMap((t, i) => (vectors[i] === undefined ? [] : [{ trackId: t.id, embedding: vectors[i] }]))))
      .catch((err: unknown) => log.warn({ err: errorMessage(err) }, 're-id embedding failed'))
      .finally(() => (this.embedding = false));
  }

  /** Puts waiting configuration changes in force before `frame` is analysed (open events of changed rules end). */
  private async takePending(frame: Frame): Promise<void> {
    for (const p of this.pending.splice(0)) {
      if (p.detector) {
        this.processor.replaceDetector(p.detector);
        this.ports.log.info({ frame: frame.index, model: p.detector.manifest.id }, 'model changed');
      }
      if (p.camera) {
        const ended = this.processor.replaceRules(p.camera, this.latest?.frame.timeMs ?? frame.timeMs, this.latest?.frame.index ?? frame.index);
        this.camera = p.camera;
        await this.apply(ended, null);
        this.ports.log.info({ frame: frame.index, rules: p.camera.rules.map((r) => r.id) }, 'zones, lines and rules changed');
      }
      p.resolve(frame.index);
    }
  }

  /** Hands due analytics deltas to the sink, one write at a time, never blocking the frame loop. */
  private writeAnalytics(timeMs: number, force: boolean): void {
    const sink = this.ports.analytics;
    const delta = sink ? this.analytics.drain(timeMs, force) : null;
    if (!sink || !delta) return;
    this.analyticsWrites = this.analyticsWrites
      .then(() => sink.add(delta))
      .catch((err) => this.ports.log.error({ err: errorMessage(err) }, 'storing analytics failed'));
  }

  /** Hands event versions to the sink, with a snapshot of `frame` where a version asks for one. */
  private async apply(changes: readonly EventChange[], frame: Frame | null): Promise<void> {
    const { events, renderSnapshot, log, source } = this.ports;
    for (const change of changes) {
      // Subjects carry the person's id across cameras when the site knows it.
      const e = this.globalIds.size === 0 ? change.event : { ...change.event, subjects: change.event.subjects.map((sub) => ({ ...sub, globalId: this.globalIds.get(sub.trackId) ?? null })) };
      try {
        let jpeg: Uint8Array | null = null;
        if (change.snapshot && frame && renderSnapshot) {
          jpeg = await renderSnapshot(frame, e.subjects.map((s) => ({ boxXyxy: s.boxXyxy, caption: `${s.label} ${s.score.toFixed(2)}`, highlight: true })));
        }
        const captureMs = frame && source.wallClock ? frame.timeMs : null;
        const stored = await events.write({ kind: change.kind, event: e, snapshotJpeg: jpeg, captureMs });
        if (captureMs !== null) this.latency.add(this.ports.now() - captureMs);
        if (stored.snapshotPath && stored.snapshotPath !== e.snapshotPath) this.processor.events.setSnapshot(e.id, stored.snapshotPath);
        if (change.kind !== 'update') log.info({ event: e.id, kind: change.kind, type: e.type, rule: e.ruleId, subjects: e.subjects.map((s) => `${s.label}#${s.trackId}`) }, 'event');
      } catch (err) {
        log.error({ err: errorMessage(err), event: e.id }, 'storing event failed');
      }
    }
  }

  private sample(frame: Frame): void {
    for (const tap of this.frameTaps) tap(frame);
    if (frame.rgb === undefined || frame.timeMs - this.lastGridFrameMs < GRID_SAMPLE_MS) return;
    this.lastGridFrameMs = frame.timeMs;
    const grey = greyFromRgb(frame.rgb, frame.width, frame.height);
    if (this.gridFrames[0] && (this.gridFrames[0].width !== grey.width || this.gridFrames[0].height !== grey.height)) this.gridFrames.length = 0;
    this.gridFrames.push(grey);
    if (this.gridFrames.length > GRID_FRAMES) this.gridFrames.shift();
  }
}
