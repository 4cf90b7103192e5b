/**
 * The cameras of a running server, each a worker built from its configuration slice and its adapters, kept in step
 * with the configuration as it changes at runtime: a camera that is added starts, one that is removed or disabled stops
 * (its ffmpeg ends, its open events end, its stored events stay), one whose zones, lines or rules changed takes them at
 * its next frame, and any other change restarts that camera alone (with its mosaic tiles). The others keep their
 * streams, tracks and open events. A camera that cannot start is shown offline with its reason.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { CameraHandle } from './api/camera-handle.ts';
import type { LivePublisher } from './pipeline/live-messages.ts';
import { loadClipClassifier } from './assets/load-clip.ts';
import { modelLocation, runnerOptions } from './assets/resolve-model.ts';
import { resolveSampleUrl, sampleLocation } from './assets/resolve-sample.ts';
import { CameraSchema, DEMO_CAMERA, type CameraConfig, type Config } from './config/schema.ts';
import { errorMessage } from './core/errors.ts';
import type { EventSink } from './events/event-bus.ts';
import { liveFrameSource } from './ingest/live-source.ts';
import { redactUrl } from './ingest/redact.ts';
import { CameraMediaStream } from './live/media-stream.ts';
import { renderJpeg } from './media/render.ts';
import { createCameraWorker, hotChange, modelChange, type CameraWorker } from './pipeline/camera-worker.ts';
import { checkClipRate, checkDetectorForRules } from './pipeline/perception-check.ts';
import { placeholderCamera } from './pipeline/placeholder-camera.ts';
import type { AnalyticsSink, AppearancePort, SitePort } from './pipeline/ports.ts';
import type { SharedDetector } from './pipeline/shared-detector.ts';
import { tileFrameSource } from './pipeline/tile-source.ts';
import type { Recordings } from './recording/recordings.ts';
import { loadOnnxModel } from './vision/adapters/onnx-runtime.ts';

/** Cameras to run: the configured ones, or the demo camera when none are configured. */
export function effectiveCameras(config: Config): CameraConfig[] {
  return config.cameras.length > 0 ? [...config.cameras] : [CameraSchema.parse(DEMO_CAMERA)];
}

/** How long a configuration change waits for a camera to take a zone/line/rule change before going on (ms). */
const HOT_WAIT_MS = 3000;

const isTile = (c: CameraConfig) => c.source.url.startsWith('tile:');

/** What the cameras are built with. */
export interface CameraFleetDeps {
  /** The configuration in force (models, folders). */
  readonly config: () => Config;
  readonly log: Logger;
  readonly detectorFor: (spec: string) => Promise<SharedDetector>;
  readonly events: EventSink;
  readonly publish: LivePublisher;
  readonly analytics: AnalyticsSink;
  readonly recordings: Recordings;
  /** Download progress for clips. */
  readonly onProgress: (what: string) => (received: number, total: number | null) => void;
  /** The site's map of people (plan positions, global ids); absent: none. */
  readonly site?: SitePort | null;
  /** Re-id embeddings for the site; absent: positions alone. */
  readonly appearance?: AppearancePort | null;
  /** The User-Agent RTSP cameras are asked with (`Sightline/VERSION (NODE)`), so a camera's log names the node. */
  readonly userAgent?: string;
}

interface Running {
  config: CameraConfig;
  /** The worker, or null when it could not start (or is disabled). */
  worker: Promise<CameraWorker | null>;
  clip: { close(): Promise<void> } | null;
}

export class CameraFleet {
  private readonly handles = new Map<string, CameraHandle>();
  private readonly running = new Map<string, Running>();
  private order: string[] = [];
  private readonly applied = new Map<string, Promise<number | null>>();

  constructor(private readonly deps: CameraFleetDeps) {}

  /** The cameras as the API sees them, in configuration order. */
  list(): CameraHandle[] {
    return this.order.map((id) => this.handles.get(id)).filter((h): h is CameraHandle => h !== undefined);
  }

  /** The worker of a running camera (tests, mosaic tiles). */
  worker(id: string): Promise<CameraWorker | null> {
    return this.running.get(id)?.worker ?? Promise.resolve(null);
  }

  /**
   * Brings the running cameras in step with `cameras`: stops removed and disabled ones (tiles before their mosaic),
   * restarts changed ones (and their tiles), hands zone/line/rule changes to the running worker, starts new ones
   * (mosaics before their tiles). Resolves when stopped cameras have stopped and rule changes are in force; new
   * cameras are still starting.
   */
  async apply(cameras: readonly CameraConfig[]): Promise<void> {
    const next = new Map(cameras.map((c) => [c.id, c]));
    const restart = new Set<string>();
    const hot: CameraConfig[] = [];
    const swap: CameraConfig[] = [];
    for (const [id, run] of this.running) {
      const cam = next.get(id);
      if (!cam || !cam.enabled) restart.add(id);
      else if (JSON.stringify(cam) === JSON.stringify(run.config)) continue;
      else if (hotChange(run.config, cam)) hot.push(cam);
      else if (modelChange(run.config, cam)) swap.push(cam);
      else restart.add(id);
    }
    // A new model for a running camera: swapped in at its next frame, the stream and tracks stay (when the model
    // cannot serve the camera's rules, the camera restarts and says why).
    for (const cam of swap) {
      const run = this.running.get(cam.id)!;
      const worker = await run.worker;
      if (!worker || !(await this.swapModel(worker, cam))) restart.add(cam.id);
      else {
        run.config = cam;
        hot.push(cam);
      }
    }
    // A restarted mosaic takes its tiles with it (they read its frames).
    for (const [id, run] of this.running) {
      if (isTile(run.config) && restart.has(run.config.source.url.slice(5))) restart.add(id);
    }
    const stopping = [...restart].map((id) => this.running.get(id)!);
    await Promise.allSettled(stopping.filter((r) => isTile(r.config)).map((r) => this.stopOne(r)));
    await Promise.allSettled(stopping.filter((r) => !isTile(r.config)).map((r) => this.stopOne(r)));
    for (const id of restart) this.running.delete(id);
    for (const id of [...this.handles.keys()]) if (!next.has(id)) this.handles.delete(id);

    this.order = cameras.map((c) => c.id);
    this.deps.recordings.configure(this.deps.config().recording, cameras);
    for (const cam of cameras) {
      if (!cam.enabled) this.handles.set(cam.id, placeholderCamera(cam, 'disabled'));
      else if (!this.running.has(cam.id)) this.handles.set(cam.id, placeholderCamera(cam, 'starting'));
    }
    for (const cam of cameras) if (cam.enabled && !isTile(cam) && !this.running.has(cam.id)) this.startOne(cam);
    for (const cam of cameras) if (cam.enabled && isTile(cam) && !this.running.has(cam.id)) this.startOne(cam);
    await Promise.all(hot.map((cam) => {
      const run = this.running.get(cam.id)!;
      run.config = cam;
      const applied = run.worker.then((worker) => {
        if (worker) return worker.reconfigure(cam);
        this.handles.set(cam.id, placeholderCamera(cam, 'offline', this.handles.get(cam.id)?.status().lastError ?? null));
        return null;
      });
      this.applied.set(cam.id, applied);
      // A camera between frames takes the change at its next one; a stalled one later, without holding up others.
      return Promise.race([applied, new Promise((resolve) => setTimeout(resolve, HOT_WAIT_MS).unref())]);
    }));
  }

  /** The index of the frame the camera's last zone/line/rule change took effect at (null: not running). */
  appliedAt(id: string): Promise<number | null> {
    return this.applied.get(id) ?? Promise.resolve(null);
  }

  /**
   * The model a camera names now resolves to another file (a registry version was activated): the running cameras
   * `ids` swap to it at their next frame; one that cannot (or is not running) restarts.
   */
  async reloadModels(ids: readonly string[]): Promise<void> {
    const restart: string[] = [];
    for (const id of ids) {
      const run = this.running.get(id);
      const worker = run ? await run.worker : null;
      if (!run || !worker || !(await this.swapModel(worker, run.config))) restart.push(id);
    }
    if (restart.length === 0) return;
    const cameras = this.order.map((id) => this.running.get(id)?.config).filter((c): c is CameraConfig => c !== undefined);
    for (const id of restart) {
      const run = this.running.get(id);
      if (run) {
        await this.stopOne(run);
        this.running.delete(id);
      }
    }
    await this.apply([...cameras.filter((c) => !restart.includes(c.id)), ...cameras.filter((c) => restart.includes(c.id))]);
  }

  /** Loads `cam`'s model and hands it to the running worker; false when it cannot serve the camera's rules. */
  private async swapModel(worker: CameraWorker, cam: CameraConfig): Promise<boolean> {
    const log = this.deps.log.child({ component: 'camera', camera: cam.id });
    try {
      const detector = (await this.deps.detectorFor(cam.detect.model ?? this.deps.config().models.default)).forCamera(cam.id);
      checkDetectorForRules(cam, detector.manifest);
      await Promise.race([worker.swapDetector(detector), new Promise((resolve) => setTimeout(resolve, HOT_WAIT_MS).unref())]);
      log.info({ model: detector.manifest.id }, 'model swapped; the stream runs on');
      return true;
    } catch (err) {
      log.warn({ err: errorMessage(err) }, 'the new model cannot be swapped in; restarting the camera');
      return false;
    }
  }

  /** Stops every camera (tiles first, so a tile's last frames are analysed before its source goes). */
  async stop(): Promise<void> {
    const all = [...this.running.values()];
    await Promise.allSettled(all.filter((r) => isTile(r.config)).map((r) => this.stopOne(r)));
    await Promise.allSettled(all.filter((r) => !isTile(r.config)).map((r) => this.stopOne(r)));
    this.running.clear();
  }

  private async stopOne(run: Running): Promise<void> {
    const worker = await run.worker;
    if (worker) {
      await worker.stop();
      this.deps.log.child({ component: 'camera', camera: run.config.id }).info('camera stopped');
    }
    await this.deps.recordings.detach(run.config.id);
    await run.clip?.close().catch(() => undefined);
  }

  private startOne(cam: CameraConfig): void {
    const run: Running = { config: cam, worker: Promise.resolve(null), clip: null };
    run.worker = this.build(cam, run);
    this.running.set(cam.id, run);
  }

  private async build(cam: CameraConfig, run: Running): Promise<CameraWorker | null> {
    const { log, config } = this.deps;
    const camLog = log.child({ component: 'camera', camera: cam.id });
    try {
      const cfg = config();
      const tile = isTile(cam);
      // The clip first (a download the camera needs whatever the model), then the model.
      const sourceUrl = tile ? cam.source.url : await resolveSampleUrl(cam.source.url, sampleLocation(cfg, { onProgress: this.deps.onProgress(cam.source.url) }));
      const detector = (await this.deps.detectorFor(cam.detect.model ?? cfg.models.default)).forCamera(cam.id);
      checkDetectorForRules(cam, detector.manifest);
      // A violence rule's clip classifier, one intra-op thread so it runs beside the detector without taking both cores.
      const violence = cam.rules.find((r) => r.type === 'violence');
      const clipClassifier = violence
        ? await loadClipClassifier(violence.model, violence.label, modelLocation(cfg), loadOnnxModel, { ...runnerOptions(cfg), threads: 1 })
        : null;
      if (clipClassifier) {
        run.clip = clipClassifier.classifier;
        checkClipRate(cam, clipClassifier.classifier.spec, violence!.model);
      }
      const ports = {
        detector, renderSnapshot: renderJpeg, events: this.deps.events, publish: this.deps.publish, analytics: this.deps.analytics,
        now: Date.now, newId: randomUUID, log: camLog, clipClassifier, site: this.deps.site ?? null, appearance: this.deps.appearance ?? null,
      };
      const parentId = tile ? cam.source.url.slice(5) : null;
      const parent = parentId !== null ? await this.worker(parentId) : null;
      if (parentId !== null && !parent) throw new Error(`its mosaic camera "${parentId}" is not running`);
      if (this.running.get(cam.id) !== run) {
        // Removed or changed while it was starting: never run it.
        await run.clip?.close().catch(() => undefined);
        return null;
      }
      let worker: CameraWorker;
      if (parent) {
        worker = createCameraWorker(cam, { ...ports, source: tileFrameSource(parent, cam.source.crop!), media: null });
        camLog.info({ of: cam.source.url, crop: cam.source.crop, model: detector.manifest.id }, 'tile camera started');
      } else {
        const stream = cam.live.enabled || cam.record.mode !== 'off' ? new CameraMediaStream() : null;
        if (stream) this.deps.recordings.attach(cam, stream);
        const source = liveFrameSource(
          {
            ...cam.source, url: sourceUrl, fps: cam.detect.fps, width: cam.detect.width, userAgent: this.deps.userAgent,
            ...(detector.detectorImageSpec ? { detectorImageSpec: detector.detectorImageSpec } : {}),
            ...(stream ? { media: stream } : {}),
          },
          { log: camLog, now: Date.now, random: Math.random },
        );
        worker = createCameraWorker(cam, { ...ports, source, media: stream });
        camLog.info({ url: redactUrl(sourceUrl), model: detector.manifest.id, fps: cam.detect.fps }, 'camera started');
      }
      this.handles.set(cam.id, worker);
      worker.start();
      // A change of zones, lines or rules made while the camera was starting.
      if (JSON.stringify(run.config) !== JSON.stringify(cam)) await worker.reconfigure(run.config);
      return worker;
    } catch (err) {
      if (this.running.get(cam.id) === run) this.handles.set(cam.id, placeholderCamera(run.config, 'offline', errorMessage(err)));
      camLog.error({ err: errorMessage(err) }, 'camera could not start');
      return null;
    }
  }
}
