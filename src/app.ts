import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { buildServer, LiveHub } from './api/server.ts';
import { loadDetector } from './assets/load-detector.ts';
import { modelLocation, runnerOptions } from './assets/resolve-model.ts';
import { resolveSampleUrl } from './assets/resolve-sample.ts';
import { CameraSchema, DEMO_CAMERA, type CameraConfig, type Config } from './config/schema.ts';
import { errorMessage } from './core/errors.ts';
import { redactUrl } from './ingest/redact.ts';
import { CameraPipeline } from './pipeline/camera-pipeline.ts';
import { SqlEventStore } from './store/event-repository.ts';
import { FileMediaStore } from './store/media-store.ts';
import { RecordingStore } from './recording/recording-store.ts';
import { Recordings } from './recording/recordings.ts';
import { openDatabase } from './store/open-database.ts';
import { loadOnnxModel } from './vision/adapters/onnx-runtime.ts';
import { SharedDetector } from './pipeline/shared-detector.ts';

/** A running server: its address and how to stop everything it started. */
export interface RunningApp {
  readonly url: string;
  stop(): Promise<void>;
}

/** Cameras to run: the configured ones, or the demo camera when none are configured. */
export function effectiveCameras(config: Config): CameraConfig[] {
  return config.cameras.length > 0 ? [...config.cameras] : [CameraSchema.parse(DEMO_CAMERA)];
}

/** Throttled download progress lines for the log. */
function progressLogger(log: Logger, what: string) {
  let lastPct = -10;
  return (received: number, total: number | null) => {
    const pct = total ? Math.floor((received / total) * 100) : -1;
    if (pct >= lastPct + 10 || pct === 100) {
      lastPct = pct;
      log.info({ what, receivedBytes: received, totalBytes: total, percent: pct >= 0 ? pct : undefined }, 'downloading');
    }
  };
}

/**
 * The composition root: opens the database, starts the HTTP API, then starts each camera on its own
 * (a camera that cannot start is shown as offline with its reason; the others and the API keep running).
 */
export async function startApp(config: Config, log: Logger): Promise<RunningApp> {
  const dataDir = config.dataDir;
  const db = await openDatabase({ url: config.database.url, dataDir: join(dataDir, 'db') });
  log.info({ database: db.kind }, 'database ready');
  const events = new SqlEventStore(db);
  const media = new FileMediaStore(join(dataDir, 'media'));
  const hub = new LiveHub();
  const cameras = effectiveCameras(config);
  const recordings = new Recordings(config.recording, cameras, {
    store: new RecordingStore(media.rootDir), events, log: log.child({ component: 'recording' }), now: Date.now,
  });
  await recordings.start();
  const pipelines = cameras.map(
    (cam) =>
      new CameraPipeline(cam, {
        events,
        media,
        publish: hub.publish,
        log: log.child({ component: 'camera', camera: cam.id }),
        newId: randomUUID,
        now: Date.now,
        random: Math.random,
        recordings,
      }),
  );
  pipelines.forEach((p, i) => {
    if (p.media && cameras[i]!.enabled) recordings.attach(cameras[i]!, p.media);
  });
  const app = await buildServer({ cameras: () => pipelines, events, media, log, recordings }, hub);
  await app.listen({ host: config.server.host, port: config.server.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const url = `http://${config.server.host}:${port}`;
  log.info({ url }, 'server listening');

  const detectors = new Map<string, Promise<SharedDetector>>();
  const detectorFor = (spec: string) => {
    let d = detectors.get(spec);
    if (!d) {
      d = loadDetector(
        spec,
        modelLocation(config, { onProgress: progressLogger(log, `model ${spec}`) }),
        loadOnnxModel,
        runnerOptions(config),
      ).then((detector) => {
        if (detector.providerFallback) log.warn({ model: spec }, `model ${spec}: ${detector.providerFallback}`);
        else log.info({ model: spec, provider: detector.provider }, `model ${spec} runs on ${detector.provider}`);
        return new SharedDetector(detector);
      });
      detectors.set(spec, d);
    }
    return d;
  };

  const starting = cameras.map(async (cam, i) => {
    const pipeline = pipelines[i]!;
    if (!cam.enabled) return;
    const camLog = log.child({ component: 'camera', camera: cam.id });
    try {
      if (cam.source.url.startsWith('tile:')) {
        const parent = pipelines[cameras.findIndex((c) => c.id === cam.source.url.slice(5))]!;
        const detector = (await detectorFor(cam.detect.model ?? config.models.default)).forCamera(cam.id);
        pipeline.startTile(parent, cam.source.crop!, detector);
        camLog.info({ of: cam.source.url, crop: cam.source.crop, model: detector.manifest.id }, 'tile camera started');
        return;
      }
      const url = await resolveSampleUrl(cam.source.url, {
        assetsDir: config.assets,
        samplesDir: join(dataDir, 'samples'),
        download: config.models.download,
        onProgress: progressLogger(log, cam.source.url),
      });
      const shared = await detectorFor(cam.detect.model ?? config.models.default);
      const detector = shared.forCamera(cam.id);
      pipeline.start(url, detector);
      camLog.info({ url: redactUrl(url), model: detector.manifest.id, fps: cam.detect.fps }, 'camera started');
    } catch (err) {
      pipeline.fail(errorMessage(err));
      camLog.error({ err: errorMessage(err) }, 'camera could not start');
    }
  });

  return {
    url,
    async stop() {
      await Promise.allSettled(starting);
      await app.close();
      await Promise.allSettled(pipelines.map((p) => p.stop()));
      await recordings.stop();
      for (const d of detectors.values()) await d.then((x) => x.close()).catch(() => undefined);
      await db.close();
    },
  };
}
