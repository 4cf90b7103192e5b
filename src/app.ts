import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { LiveHub } from './api/live-hub.ts';
import { buildServer } from './api/server.ts';
import type { CameraHandle } from './api/camera-handle.ts';
import { loadDetector } from './assets/load-detector.ts';
import { loadClipClassifier } from './assets/load-clip.ts';
import { checkClipRate, checkDetectorForRules } from './pipeline/perception-check.ts';
import { modelLocation, runnerOptions } from './assets/resolve-model.ts';
import { resolveSampleUrl, sampleLocation } from './assets/resolve-sample.ts';
import { CameraSchema, DEMO_CAMERA, type CameraConfig, type Config } from './config/schema.ts';
import { AppError, errorMessage } from './core/errors.ts';
import { EventBus } from './events/event-bus.ts';
import { toEventJson } from './events/event-json.ts';
import { liveFrameSource } from './ingest/live-source.ts';
import { redactUrl } from './ingest/redact.ts';
import { CameraMediaStream } from './live/media-stream.ts';
import { renderJpeg } from './media/render.ts';
import { createCameraWorker, type CameraWorker } from './pipeline/camera-worker.ts';
import { placeholderCamera } from './pipeline/placeholder-camera.ts';
import { SharedDetector } from './pipeline/shared-detector.ts';
import { tileFrameSource } from './pipeline/tile-source.ts';
import { RecordingStore } from './recording/recording-store.ts';
import { Recordings } from './recording/recordings.ts';
import { SqlAnalyticsStore } from './store/analytics-repository.ts';
import { SqlEventStore } from './store/event-repository.ts';
import { loadLinkKey } from './store/link-key.ts';
import { loadNodeId } from './store/node-id.ts';
import { SqlOutbox } from './store/outbox-repository.ts';
import { createDeliveryService } from './senders/delivery-service.ts';
import { FileMediaStore } from './store/media-store.ts';
import { openDatabase } from './store/open-database.ts';
import { loadOnnxModel } from './vision/adapters/onnx-runtime.ts';
import { loadEmbedder } from './assets/load-embedder.ts';
import { isModelPath, resolveModel } from './assets/resolve-model.ts';
import { DASHBOARD_DIR } from './api/routes/dashboard.ts';
import type { InferPort } from './api/routes/infer.ts';
import { decodeImage } from './media/render.ts';
import { inferPictures } from './pipeline/inference.ts';
import type { Embedder } from './vision/embedder.ts';
import { readTls, startAccess, watchTls, type SecureServer } from './app-access.ts';
import { CameraFleet, effectiveCameras } from './app-cameras.ts';
import { ConfigService } from './manage/config-service.ts';
import { SqlConfigStore } from './store/config-repository.ts';
import { SqlJobStore } from './store/job-repository.ts';
import { createJobs } from './app-jobs.ts';
import { modelsPort, openModelRegistry } from './app-models.ts';
import type { ModelLocation } from './assets/resolve-model.ts';
import { jobView } from './jobs/job-store.ts';
import { startSite, type SiteHandle } from './app-site.ts';
import { SharedEmbedder } from './pipeline/shared-embedder.ts';
import type { AppearancePort } from './pipeline/ports.ts';
import { SqlTrajectoryStore } from './store/trajectory-repository.ts';
import { joinCluster, VERSION } from './app-cluster.ts';

/** A running server: its address and how to stop everything it started. */
export interface RunningApp {
  readonly url: string;
  stop(): Promise<void>;
}

export { effectiveCameras };

/**
 * Re-id embeddings for the site, loaded at the first crop (only sites with calibrated cameras need them); when the
 * model cannot be loaded, one warning and positions alone from then on.
 */
function appearanceFor(config: Config, site: SiteHandle, embedderFor: (spec: string) => Promise<Embedder>, log: Logger): AppearancePort | null {
  const a = config.site.fusion.appearance;
  if (!config.site.fusion.enabled || !a.enabled) return null;
  let off = false;
  // Every camera's crops through one scheduler: those waiting when the model comes free go in one call.
  let shared: Promise<SharedEmbedder> | null = null;
  return {
    async embed(cameraId, frame, boxes) {
      if (off || site.map().cameras.size === 0) return [];
      let embedder: SharedEmbedder;
      try {
        embedder = await (shared ??= embedderFor(a.model).then((e) => new SharedEmbedder(e)));
      } catch (err) {
        if (!off) log.warn({ model: a.model, err: errorMessage(err) }, `re-id model ${a.model} cannot be loaded; cross-camera identity goes on by position alone`);
        off = true;
        return [];
      }
      // A failed call (the worker camera logs it) leaves the model in use for the next crops.
      return embedder.embed(cameraId, frame, boxes);
    },
  };
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
 * The composition root, in the order of the process diagram: the database (closing events a crash left open), the
 * event bus with its subscribers (live hub, recordings), the HTTP API, then each camera as a worker built from its
 * configuration and its adapters (a camera that cannot start is shown offline with its reason; the others run on).
 */
export async function startApp(fileConfig: Config, log: Logger): Promise<RunningApp> {
  const dataDir = fileConfig.dataDir;
  const db = await openDatabase({ url: fileConfig.database.url, dataDir: join(dataDir, 'db') });
  log.info({ database: db.kind }, 'database ready');
  // The file seeds the database; after that the database holds cameras, rules, destinations and settings.
  const { service: configs, seeded } = await ConfigService.open(new SqlConfigStore(db), fileConfig).catch(async (err: unknown) => {
    await db.close();
    throw err;
  });
  if (seeded === 'new') log.info({ version: configs.version }, 'configuration stored in the database from the configuration file');
  else if (seeded === 'file changed') log.info({ version: configs.version }, 'the configuration file changed since it was last read; its cameras, rules, destinations and settings are now in force');
  else log.info({ version: configs.version }, 'configuration read from the database (changes made through the API are kept)');
  const config = configs.current();
  const cameras = effectiveCameras(config);
  const role = config.cluster.role;
  const nodeId = config.cluster.nodeId ?? await loadNodeId(dataDir);
  const cluster = await joinCluster({ config, db, nodeId, configs, effectiveCameras, log }).catch(async (err: unknown) => {
    await db.close();
    throw err;
  });
  // A worker's event writes are fenced by its camera leases: once another worker took a camera over, they are refused.
  const events = new SqlEventStore(db, role === 'worker' ? cluster.coordinator : null);
  const outbox = new SqlOutbox(db);
  let publicUrl = config.server.publicUrl ?? '';
  const media = new FileMediaStore(join(dataDir, 'media'));
  const linkKey = cluster.linkKey ?? await loadLinkKey(dataDir);
  let fleet: CameraFleet | null = null;
  const delivery = createDeliveryService(config, {
    outbox, linkKey, publicUrl: () => publicUrl, readMedia: (p) => media.readFile(p), cameras: () => (fleet?.list() ?? []).map((h) => h.status()),
    log, owner: nodeId,
  });
  await delivery.loadStates();
  const closeOpen = async (ids: readonly string[]) => {
    const closed = await events.closeOpen(ids, { route: (event) => delivery.route({ kind: 'end', event }), nowMs: Date.now() });
    if (closed > 0) log.warn({ events: closed, cameras: ids }, 'closed events left open by the last run (endReason restart)');
  };
  // In a cluster a worker closes a camera's open events when it takes the camera on (its last holder may have died).
  if (role === 'all') await closeOpen(cameras.map((c) => c.id));
  const analytics = new SqlAnalyticsStore(db);

  const hub = new LiveHub();
  const bus = new EventBus({
    store: events,
    snapshots: media,
    now: Date.now,
    onSubscriberError: (err, event) => log.error({ err: errorMessage(err), event: event.id }, 'event subscriber failed'),
    route: (v) => delivery.route(v),
  });
  bus.subscribe(({ destinationIds }) => {
    if (destinationIds.length > 0) delivery.worker.wake(destinationIds);
  });
  bus.subscribe(({ kind, event }) => hub.publish({ type: 'event', kind, event: toEventJson(event) }));
  const recordings = new Recordings(config.recording, cameras, {
    store: new RecordingStore(media.rootDir), events, log: log.child({ component: 'recording' }), now: Date.now,
  });
  await recordings.start();
  bus.subscribe(({ event }) => recordings.event(event));
  hub.listen((m) => {
    if (m.type === 'tracks' && (m.motion ?? m.tracks.length > 0)) recordings.motion(m.cameraId, m.timeMs);
  });

  // Uploaded models: `id` (the active version) and `id@N` are found in the registry before the catalog.
  const registry = await openModelRegistry(db, dataDir);
  const modelsAt = (extra: Partial<ModelLocation> = {}) => modelLocation(config, { registry: (spec) => registry.resolve(spec), ...extra });
  const detectors = new Map<string, Promise<SharedDetector>>();
  const detectorFor = (spec: string) => {
    // Cached by the version it resolves to, so that an activated version loads afresh.
    const found = registry.find(spec);
    const key = found ? `${found.modelId}@${found.version}` : spec;
    let d = detectors.get(key);
    if (!d) {
      d = loadDetector(
        key,
        modelsAt({ onProgress: progressLogger(log, `model ${spec}`) }),
        loadOnnxModel,
        runnerOptions(config),
      ).then((detector) => {
        if (detector.providerFallback) log.warn({ model: spec }, `model ${spec}: ${detector.providerFallback}`);
        else log.info({ model: spec, provider: detector.provider }, `model ${spec} runs on ${detector.provider}`);
        return new SharedDetector(detector);
      });
      detectors.set(key, d);
    }
    return d;
  };
  const embedders = new Map<string, Promise<Embedder>>();
  const embedderFor = (spec: string) => {
    let e = embedders.get(spec);
    if (!e) {
      e = loadEmbedder(spec, modelsAt(), loadOnnxModel, { ...runnerOptions(config), threads: 1 });
      e.catch(() => embedders.delete(spec));
      embedders.set(spec, e);
    }
    return e;
  };
  const infer: InferPort = (model, pictures, opts) => {
    // The API names models by id; file paths stay a matter of the configuration file.
    if (isModelPath(model)) throw new AppError('MODEL_NOT_FOUND', `expected a model id (GET /api/models lists them), got the file name "${model}"`);
    return inferPictures({
    decode: decodeImage,
    now: () => performance.now(),
    taskOf: async (spec) => (await resolveModel(spec, ['detect', 'pose', 'embed', 'classify-clip'], modelsAt())).manifest?.task ?? 'detect',
    detector: async (spec) => {
      const shared = await detectorFor(spec);
      return { manifest: shared.detector.manifest, detect: (frame, o) => shared.detectBackground('infer', frame, o) };
    },
    embedder: async (spec) => {
      const embedder = await embedderFor(spec);
      return { embed: async (frame) => (await embedder.embed(frame, [[0, 0, frame.width, frame.height]]))[0]! };
    },
  }, model, pictures, opts);
  };
  const site = startSite(config, cameras, {
    store: new SqlTrajectoryStore(db), publish: hub.publish, log, now: Date.now, events: bus,
    snapshot: async (cameraId, trackIds) => (await fleet?.worker(cameraId))?.snapshotOf(trackIds) ?? null,
  });
  const jobs = createJobs({
    config: () => configs.current(), log, detectorFor, recordings, store: new SqlJobStore(db), owner: nodeId, modelsAt,
    onUpdate: (job) => hub.publish({ type: 'job', job: jobView(job) }),
  });
  const access = await startAccess(config, db, log);
  const tls = config.server.tls ? await readTls(config.server.tls) : undefined;
  // A worker serves no HTTP: the API nodes do (the cluster view, cameras as its heartbeat reports them, live messages).
  let app: Awaited<ReturnType<typeof buildServer>> | null = null;
  let url = '';
  let stopTlsWatch = () => undefined as void;
  if (role !== 'worker') {
    const server = await buildServer({
      cameras: () => cluster.remoteCameras?.() ?? fleet?.list() ?? [], configs, appliedAt: (id) => fleet?.appliedAt(id) ?? Promise.resolve(null), infer, jobs: jobs.port,
      models: modelsPort(registry, () => configs.current(), async (ids) => {
        if (fleet && ids.length > 0) await fleet.reloadModels(ids);
      }),
      events, analytics, media, log, recordings, delivery, linkKey, auth: access.auth, dashboardDir: DASHBOARD_DIR, site, cluster: { view: () => cluster.view() },
      security: { ...config.auth, corsOrigins: config.server.corsOrigins, bodyLimitKb: config.server.bodyLimitKb, trustProxy: config.server.trustProxy, tls },
    }, hub);
    app = server;
    await server.listen({ host: config.server.host, port: config.server.port });
    stopTlsWatch = config.server.tls ? watchTls(config.server.tls, server.server as unknown as SecureServer, log) : () => undefined;
    const address = server.server.address();
    const port = typeof address === 'object' && address ? address.port : config.server.port;
    url = `${tls ? 'https' : 'http'}://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${port}`;
    log.info({ url, role }, 'server listening');
    if (!publicUrl) {
      // Links in deliveries must name an address receivers can reach; a wildcard bind address is not one.
      const host = ['0.0.0.0', '::', ''].includes(config.server.host) ? hostname() : config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
      publicUrl = `http://${host}:${port}`;
      if (config.delivery.destinations.length > 0 && ['0.0.0.0', '::', '127.0.0.1', 'localhost', '::1'].includes(config.server.host)) {
        log.warn({ publicUrl }, `links in deliveries (snapshots, clips) point at ${publicUrl}; set server.publicUrl to the address receivers reach`);
      }
    }
  } else if (!publicUrl && config.delivery.destinations.length > 0) {
    log.warn({}, 'this worker sends deliveries whose links (snapshots, clips) must point at an API node; set server.publicUrl to its address');
  }
  // Deliveries and batch jobs are consumed by the nodes that run cameras (leases in the database share them out).
  if (role !== 'api') await delivery.start();

  const cameraFleet = role === 'api' ? null : new CameraFleet({
    config: () => configs.current(), log, detectorFor, events: bus, publish: hub.publish, analytics, recordings,
    onProgress: (what) => progressLogger(log, what), site: site.port, appearance: appearanceFor(config, site, embedderFor, log),
    userAgent: `Sightline/${VERSION} (${nodeId})`,
  });
  fleet = cameraFleet;
  configs.setApplier(async (next, previous) => {
    if (JSON.stringify(next.delivery) !== JSON.stringify(previous.delivery)) await delivery.reconfigure(next.delivery);
    site.reconfigure(next, effectiveCameras(next));
    // A worker runs the cameras it holds (the coordinator passes them to `run` below); an API node none.
    if (role === 'worker') await cluster.coordinator!.reapply();
    else if (role === 'all') await cameraFleet!.apply(effectiveCameras(next));
  });
  if (role === 'worker') hub.listen((m) => cluster.publish(m));
  await cluster.start({
    run: async (ids) => {
      await cameraFleet?.apply(effectiveCameras(configs.current()).filter((c) => ids.has(c.id)));
    },
    cameras: () => cameraFleet?.list() ?? [],
    publishHere: hub.publish,
    closeOpen,
    metricsText: () => delivery.metricsText(),
    releaseDeliveries: async (id) => {
      await outbox.releaseLeases(id);
    },
  });
  if (role === 'all') await cameraFleet!.apply(cameras);
  if (role !== 'api') await jobs.start();
  if (role === 'worker') log.info({ node: nodeId }, 'worker running; cameras are assigned through the cluster');

  return {
    url,
    async stop() {
      stopTlsWatch();
      await access.stop();
      await app?.close();
      await cluster.stop();
      await jobs.stop();
      await cameraFleet?.stop();
      await site.stop();
      await recordings.stop();
      await delivery.stop();
      for (const d of detectors.values()) await d.then((x) => x.close()).catch(() => undefined);
      for (const e of embedders.values()) await e.then((x) => x.close()).catch(() => undefined);
      await db.close();
    },
  };
}
