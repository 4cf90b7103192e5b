import type { Logger } from 'pino';
import type { CameraConfig } from '../config/schema.ts';
import { errorMessage } from '../core/errors.ts';
import type { Frame, SightEvent, Track } from '../core/types.ts';
import type { EventChange } from '../events/event-lifecycle.ts';
import { CameraSource, type SourceState, type SourceStatus } from '../ingest/camera-source.ts';
import { LatestQueue } from '../ingest/latest-queue.ts';
import { RateMeter } from '../ingest/rate-meter.ts';
import { CameraMediaStream } from '../live/media-stream.ts';
import { cropFrame } from '../mosaic/crop.ts';
import { detectGrid, greyFromRgb, type GreyImage, type GridLayout } from '../mosaic/grid-detect.ts';
import { AppError } from '../core/errors.ts';
import { redactUrl } from '../ingest/redact.ts';
import { renderJpeg } from '../media/render.ts';
import type { EventStore } from '../store/event-repository.ts';
import type { MediaStore } from '../store/media-store.ts';
import type { FrameDetector } from './shared-detector.ts';
import { CameraProcessor } from './camera-processor.ts';
import type { LivePublisher } from './live-messages.ts';
import { trackerForCamera } from './tracker-options.ts';

/** What the pipeline needs from the rest of the server (ports; built by the composition root). */
export interface PipelinePorts {
  readonly events: EventStore;
  readonly media: MediaStore;
  readonly publish: LivePublisher;
  readonly log: Logger;
  readonly newId: () => string;
  readonly now: () => number;
  readonly random: () => number;
  /** Told about motion and events so that motion- and events-mode recording keeps the right segments. */
  readonly recordings?: { motion(cameraId: string, timeMs: number): void; event(event: SightEvent): void };
}

/** A camera's state as the API shows it. */
export interface CameraStatus extends Omit<SourceStatus, 'state'> {
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly enabled: boolean;
  readonly state: SourceState | 'disabled';
  readonly model: string | null;
  /** Frames per second that went through detection, tracking and rules. */
  readonly fpsProcessed: number;
  readonly framesProcessed: number;
  readonly activeTracks: number;
  readonly openEvents: number;
  /** Frames in which the motion detector saw motion. */
  readonly framesWithMotion: number;
  /** Frames sent to the object detector. */
  readonly detectorCalls: number;
  /** Frames the motion gate kept from the detector (no motion, nothing tracked). */
  readonly framesSkipped: number;
}

/** One live camera: a supervised source feeding the processor through a newest-frame queue, with side effects at the edge. */
export class CameraPipeline {
  private readonly camera: CameraConfig;
  private readonly ports: PipelinePorts;
  private source: CameraSource | null = null;
  private processor: CameraProcessor | null = null;
  private loopDone: Promise<void> | null = null;
  private latest: { frame: Frame; tracks: readonly Track[] } | null = null;
  private rendered: { index: number; jpeg: Buffer } | null = null;
  private readonly processedMeter = new RateMeter();
  private framesProcessed = 0;
  private failure: string | null = null;
  private modelId: string | null = null;
  /** The camera's video as fragmented MP4 for live viewers and the recorder; null when both are off (and for tiles). */
  readonly media: CameraMediaStream | null;
  private readonly frameTaps = new Set<(frame: Frame) => void>();
  /** Grey frames at least a second apart, for grid detection. */
  private readonly gridFrames: GreyImage[] = [];
  private lastGridFrameMs = -Infinity;
  private tileParent: CameraPipeline | null = null;
  private untap: (() => void) | null = null;
  private tileQueue: LatestQueue<Frame> | null = null;

  constructor(camera: CameraConfig, ports: PipelinePorts) {
    this.camera = camera;
    this.ports = ports;
    const tile = camera.source.url.startsWith('tile:');
    this.media = !tile && (camera.live.enabled || camera.record.mode !== 'off') ? new CameraMediaStream() : null;
  }

  /** The camera's zones, for overlays. */
  zones(): readonly { id: string; polygon: [number, number][] }[] {
    return this.camera.zones.map((z) => ({ id: z.id, polygon: z.polygon }));
  }

  /** Starts the camera with its (already resolved) source URL and detector. */
  start(url: string, detector: FrameDetector): void {
    const queue = new LatestQueue<Frame>();
    this.modelId = detector.manifest.id;
    this.processor = new CameraProcessor(this.camera, detector, trackerForCamera(this.camera, detector.manifest.defaultScoreThreshold), this.ports.newId);
    this.source = new CameraSource(
      {
        ...this.camera.source, url, fps: this.camera.detect.fps, width: this.camera.detect.width,
        ...(detector.detectorImageSpec ? { detectorImageSpec: detector.detectorImageSpec } : {}),
        ...(this.media ? { media: this.media } : {}),
      },
      queue,
      { log: this.ports.log, now: this.ports.now, random: this.ports.random },
    );
    this.source.start();
    this.loopDone = this.loop(queue);
  }

  /**
   * Starts the camera as one tile of `parent`'s mosaic: each frame the parent analyses is cropped to `crop` (fractions
   * of its frame) and analysed here with this camera's own zones, tracker and events. No ffmpeg of its own.
   */
  startTile(parent: CameraPipeline, crop: readonly [number, number, number, number], detector: FrameDetector): void {
    const queue = new LatestQueue<Frame>();
    this.tileParent = parent;
    this.tileQueue = queue;
    this.modelId = detector.manifest.id;
    this.processor = new CameraProcessor(this.camera, detector, trackerForCamera(this.camera, detector.manifest.defaultScoreThreshold), this.ports.newId);
    this.untap = parent.onFrame((frame) => queue.push(cropFrame(frame, crop)));
    this.loopDone = this.loop(queue);
  }

  /** Calls `fn` with every frame this camera takes for analysis; returns the function that stops it. */
  onFrame(fn: (frame: Frame) => void): () => void {
    this.frameTaps.add(fn);
    return () => this.frameTaps.delete(fn);
  }

  /** The mosaic grid of this camera's picture, from up to five recent frames a second apart. */
  grid(): GridLayout & { frames: number; width: number; height: number } {
    const frames = this.gridFrames;
    if (frames.length < 2) throw new AppError('SNAPSHOT_NOT_FOUND', `camera "${this.camera.id}" has ${frames.length} frame(s) for grid detection; wait a few seconds after it comes online`);
    return { ...detectGrid(frames), frames: frames.length, width: frames[0]!.width, height: frames[0]!.height };
  }

  private sample(frame: Frame): void {
    for (const tap of this.frameTaps) tap(frame);
    if (frame.timeMs - this.lastGridFrameMs < 1000) return;
    this.lastGridFrameMs = frame.timeMs;
    const grey = greyFromRgb(frame.rgb, frame.width, frame.height);
    if (this.gridFrames[0] && (this.gridFrames[0].width !== grey.width || this.gridFrames[0].height !== grey.height)) this.gridFrames.length = 0;
    this.gridFrames.push(grey);
    if (this.gridFrames.length > 5) this.gridFrames.shift();
  }

  /** Marks the camera as unable to start (bad model, missing sample), keeping the reason for the API. */
  fail(reason: string): void {
    this.failure = reason;
  }

  /** Stops the source, ends open events and waits for the last writes. */
  async stop(): Promise<void> {
    this.untap?.();
    this.tileQueue?.close();
    await this.source?.stop();
    await this.loopDone;
    if (this.processor) await this.apply(this.processor.finish(this.ports.now()), null);
  }

  /** Current state and counters. */
  status(): CameraStatus {
    // A tile shows its mosaic's source state.
    const s = this.source?.status() ?? this.tileParent?.source?.status();
    const now = this.ports.now();
    return {
      id: this.camera.id,
      name: this.camera.name ?? this.camera.id,
      url: redactUrl(this.camera.source.url),
      enabled: this.camera.enabled,
      state: !this.camera.enabled ? 'disabled' : this.failure ? 'offline' : (s?.state ?? 'starting'),
      lastError: this.failure ?? s?.lastError ?? null,
      framesDecoded: s?.framesDecoded ?? 0,
      framesDropped: s?.framesDropped ?? 0,
      restarts: s?.restarts ?? 0,
      fpsMeasured: s?.fpsMeasured ?? 0,
      width: s?.width ?? null,
      height: s?.height ?? null,
      model: this.modelId,
      fpsProcessed: Math.round(this.processedMeter.rate(now) * 100) / 100,
      framesProcessed: this.framesProcessed,
      activeTracks: this.latest?.tracks.length ?? 0,
      openEvents: this.processor?.lifecycle.openEvents ?? 0,
      framesWithMotion: this.processor?.stats.framesWithMotion ?? 0,
      detectorCalls: this.processor?.stats.detectorCalls ?? 0,
      framesSkipped: this.processor?.stats.framesSkipped ?? 0,
    };
  }

  /** The newest processed frame as JPEG with its tracks drawn, or null before the first frame. */
  async latestJpeg(): Promise<Buffer | null> {
    const latest = this.latest;
    if (!latest) return null;
    if (this.rendered?.index !== latest.frame.index) {
      const overlays = latest.tracks.map((t) => ({ boxXyxy: t.boxXyxy, caption: `${t.label} #${t.id} ${t.score.toFixed(2)}` }));
      this.rendered = { index: latest.frame.index, jpeg: await renderJpeg(latest.frame, overlays) };
    }
    return this.rendered.jpeg;
  }

  private async loop(queue: LatestQueue<Frame>): Promise<void> {
    const log = this.ports.log;
    for (;;) {
      const frame = await queue.next();
      if (!frame || !this.processor) return;
      this.sample(frame);
      try {
        const result = await this.processor.process(frame);
        if (result === null) continue; // a newer frame of this camera replaced it at the detector
        this.framesProcessed++;
        this.processedMeter.tick(this.ports.now());
        this.latest = { frame, tracks: result.tracks };
        if (result.motion ?? result.tracks.length > 0) this.ports.recordings?.motion(this.camera.id, frame.timeMs);
        this.ports.publish({
          type: 'tracks',
          cameraId: this.camera.id,
          frameIndex: frame.index,
          timeMs: frame.timeMs,
          pts: this.media?.presentationTime(frame.timeMs) ?? null,
          width: frame.width,
          height: frame.height,
          tracks: result.tracks.map((t) => ({ id: t.id, label: t.label, score: t.score, boxXyxy: t.boxXyxy })),
        });
        await this.apply(result.changes, frame);
      } catch (err) {
        log.error({ err: errorMessage(err), frame: frame.index }, 'frame processing failed');
      }
    }
  }

  /** Stores event changes, writing a snapshot of `frame` where a change asks for one. */
  private async apply(changes: readonly EventChange[], frame: Frame | null): Promise<void> {
    for (const change of changes) {
      let event: SightEvent = change.event;
      try {
        if (change.snapshot && frame) {
          const jpeg = await renderJpeg(frame, [{ boxXyxy: event.bestBoxXyxy, caption: `${event.label} ${event.bestScore.toFixed(2)}`, highlight: true }]);
          const path = await this.ports.media.writeSnapshot({ cameraId: event.cameraId, eventId: event.id, timeMs: event.startMs, jpeg });
          event = this.processor?.lifecycle.setSnapshot(event.id, path) ?? { ...event, snapshotPath: path };
        }
        await this.ports.events.upsert(event);
        this.ports.recordings?.event(event);
        this.ports.publish({ type: 'event', kind: change.kind, event });
        if (change.kind !== 'update') this.ports.log.info({ event: event.id, kind: change.kind, label: event.label, zone: event.zoneId, track: event.trackId }, 'event');
      } catch (err) {
        this.ports.log.error({ err: errorMessage(err), event: event.id }, 'storing event failed');
      }
    }
  }
}
