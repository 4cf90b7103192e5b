/**
 * The site's map of people in a running server: the site fusion fed by every camera worker, its trajectory points
 * written to the database in batches (never blocking a camera), the live map published a few times a second, old
 * points deleted by retention, and the whole kept in step with configuration changes (plans, areas, calibrations).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { readContained } from './store/contained-read.ts';
import type { Config } from './config/schema.ts';
import { errorMessage } from './core/errors.ts';
import { SiteFusion, type TrajectoryPoint } from './fusion/site-fusion.ts';
import { buildSiteMap, type SiteMap } from './mapping/site-map.ts';
import type { LivePublisher } from './pipeline/live-messages.ts';
import type { SitePort } from './pipeline/ports.ts';
import type { TrajectoryStore } from './store/trajectory-repository.ts';
import type { CameraConfig } from './config/schema.ts';
import type { EventChange } from './events/event-book.ts';
import type { EventSink } from './events/event-bus.ts';
import { SiteRules } from './fusion/site-rules.ts';

/** The site as the API sees it. */
export interface SiteHandle {
  readonly port: SitePort;
  readonly store: TrajectoryStore;
  /** The map in force (plans, calibrated cameras, usable areas, problems). */
  map(): SiteMap;
  /** The fusion in force (people on the map now, occupancy). */
  fusion(): SiteFusion;
  /** A plan picture stored in dataDir/plans (null when missing); the name is checked by the schema (no folders). */
  readPlanImage(fileName: string): Promise<Buffer | null>;
  /** Stores a plan picture as dataDir/plans/`fileName` (written whole, then renamed into place). */
  savePlanImage(fileName: string, bytes: Uint8Array): Promise<void>;
  /** Puts a changed configuration in force. */
  reconfigure(next: Config, cameras: readonly CameraConfig[]): void;
  stop(): Promise<void>;
}

/** How often waiting trajectory points are written, and the live map published (ms). */
const FLUSH_MS = 2000;
const MAP_MS = 250;
/** Points kept waiting at most (the database is down or slow): the oldest are dropped beyond this, with a warning. */
const MAX_PENDING = 50_000;
const RETENTION_MS = 3_600_000;

/** Site rules are evaluated at most this often (ms of frame time): five times a second, as often as cameras detect. */
const RULES_STEP_MS = 200;
/** A site time this far behind the last evaluation is a clock set back, not a late camera (cameras lag by under 1 s). */
const CLOCK_BACK_MS = 10_000;
/** Site event versions waiting to be stored beyond which updates are skipped (starts and ends never are). */
const MAX_WAITING_EVENTS = 10_000;

/** What the site is built from besides the configuration. */
export interface SiteDeps {
  readonly store: TrajectoryStore;
  readonly publish: LivePublisher;
  readonly log: Logger;
  readonly now: () => number;
  /** Where site rules' events go (the cameras' event bus); absent: site rules are not run. */
  readonly events?: EventSink;
  /** A camera's newest frame as JPEG with these tracks highlighted (site events' snapshots); null when it has none. */
  readonly snapshot?: (cameraId: string, trackIds: readonly number[]) => Promise<Uint8Array | null>;
  readonly newId?: () => string;
}

/** Builds the site from the configuration and starts its timers. */
export function startSite(config: Config, cameras: readonly CameraConfig[], deps: SiteDeps): SiteHandle {
  const plansDir = join(config.dataDir, 'plans');
  const log = deps.log.child({ component: 'site' });
  let pending: TrajectoryPoint[] = [];
  let droppedWarned = false;
  const keep = (points: readonly TrajectoryPoint[]) => {
    pending.push(...points);
    if (pending.length > MAX_PENDING) {
      pending = pending.slice(pending.length - MAX_PENDING);
      if (!droppedWarned) log.warn({ kept: MAX_PENDING }, 'trajectory points are not being stored fast enough; the oldest waiting ones are dropped');
      droppedWarned = true;
    }
  };
  const fusionOf = (c: Config, map: SiteMap) => new SiteFusion(map, {
    fusion: c.site.fusion.enabled,
    sampleMs: c.site.trajectories.sampleMs,
    fusionOptions: {
      windowMs: c.site.fusion.windowMs, memoryMs: c.site.fusion.memoryMs,
      transitions: c.site.fusion.transitions.map((t) => ({ fromCamera: t.from, toCamera: t.to, minGapMs: t.minGapMs, maxGapMs: t.maxGapMs })),
    },
  }, keep, deps.now());
  const report = (map: SiteMap) => {
    for (const p of map.problems) log.warn({ path: p.path, camera: p.cameraId }, p.message);
    if (map.cameras.size > 0) log.info({ plans: map.plans.size, calibrated: [...map.cameras.keys()], areas: map.areas.length }, 'site map ready');
  };
  let current = { config, map: buildSiteMap(config.site, cameras) };
  report(current.map);
  let fusion = fusionOf(config, current.map);
  let lastMapJson = '';

  // Rules on the plan: evaluated over the people of the whole site as cameras' frames come in, their events written
  // one version at a time, in order, never blocking a camera.
  const newRules = (c: Config, map: SiteMap) => new SiteRules(c.site.rules, map, deps.newId ?? randomUUID);
  let rules = newRules(config, current.map);
  let lastRulesMs = -Infinity;
  let writes: Promise<void> = Promise.resolve();
  let waiting = 0;
  let droppedUpdates = 0;
  const writeEvents = (changes: readonly EventChange[], captureMs: number | null) => {
    const sink = deps.events;
    if (!sink || changes.length === 0) return;
    // The store is slow or down: beyond the cap, updates (heartbeats, new counts) wait no more; starts and ends do.
    const kept = waiting > MAX_WAITING_EVENTS ? changes.filter((c) => c.kind !== 'update') : changes;
    if (kept.length < changes.length && droppedUpdates++ === 0) log.warn({ waiting }, 'site events are not being stored fast enough; their updates are skipped until they are');
    waiting += kept.length;
    const book = rules;
    writes = writes.then(async () => {
      for (const change of kept) {
        waiting--;
        const e = change.event;
        try {
          const mine = e.subjects.filter((x) => (x.cameraId ?? e.cameraId) === e.cameraId).map((x) => x.trackId);
          const jpeg = change.snapshot && deps.snapshot ? await deps.snapshot(e.cameraId, mine).catch(() => null) : null;
          const stored = await sink.write({ kind: change.kind, event: e, snapshotJpeg: jpeg, captureMs });
          if (stored.snapshotPath && stored.snapshotPath !== e.snapshotPath) book.setSnapshot(e.id, stored.snapshotPath);
          if (change.kind !== 'update') log.info({ event: e.id, kind: change.kind, type: e.type, rule: e.ruleId, camera: e.cameraId, people: e.subjects.map((x) => x.globalId) }, 'site event');
        } catch (err) {
          log.error({ err: errorMessage(err), event: e.id }, 'storing site event failed');
        }
      }
    });
  };
  /** Ends every open site event (`stopped`) and starts the rules afresh (new people, a clock set back). */
  const restartRules = (c: Config, map: SiteMap) => {
    if (lastRulesMs > -Infinity) writeEvents(rules.flush(lastRulesMs), null);
    rules = newRules(c, map);
    lastRulesMs = -Infinity;
  };
  const evaluateRules = (timeMs: number) => {
    if (!deps.events) return;
    // The clock was set back: what is open ends now, the rules start again from this time.
    if (timeMs < lastRulesMs - CLOCK_BACK_MS) restartRules(current.config, current.map);
    if (timeMs < lastRulesMs + RULES_STEP_MS) return;
    lastRulesMs = timeMs;
    if (rules.running.length === 0) return;
    try {
      // Frame times of live cameras are wall-clock capture times: latency is counted from the frame that triggered this.
      writeEvents(rules.evaluate(timeMs, fusion.mapPeople(), (g) => fusion.sightingsOf(g)), timeMs);
    } catch (err) {
      // Never the camera's frame: the camera that happened to bring the site's time on goes on.
      log.error({ err: errorMessage(err) }, 'site rules failed');
    }
  };

  let running: Promise<void> | null = null;
  const flush = (): Promise<void> => {
    if (running !== null) return running;
    if (pending.length === 0) return Promise.resolve();
    running = write().finally(() => (running = null));
    return running;
  };
  const write = async () => {
    const batch = pending;
    pending = [];
    try {
      await deps.store.add(batch);
      droppedWarned = false;
    } catch (err) {
      log.error({ err: errorMessage(err), points: batch.length }, 'storing trajectory points failed; they are kept for the next try');
      pending = [...batch, ...pending].slice(-MAX_PENDING);
    }
  };
  // Housekeeping timers never keep the process alive by themselves (a start that fails later must still let it exit).
  const flushTimer = setInterval(() => void flush(), FLUSH_MS);
  flushTimer.unref();
  const mapTimer = setInterval(() => {
    if (current.map.cameras.size === 0) return;
    const people = fusion.mapPeople().map((p) => ({ globalId: p.globalId, plan: p.plan, positionM: p.positionM, cameras: p.cameras, areas: p.areas }));
    const occupancy = Object.fromEntries(fusion.occupancy());
    const json = JSON.stringify([people, occupancy]);
    if (json === lastMapJson) return;
    lastMapJson = json;
    deps.publish({ type: 'map', timeMs: deps.now(), people, occupancy });
  }, MAP_MS);
  mapTimer.unref();
  const retention = async () => {
    const hours = current.config.site.trajectories.keepHours;
    if (hours <= 0) return;
    try {
      const n = await deps.store.deleteBefore(Math.floor(deps.now() - hours * 3_600_000));
      if (n > 0) log.info({ points: n }, 'old trajectory points deleted');
    } catch (err) {
      log.error({ err: errorMessage(err) }, 'deleting old trajectory points failed');
    }
  };
  const retentionTimer = setInterval(() => void retention(), RETENTION_MS);
  retentionTimer.unref();
  void retention();

  return {
    store: deps.store,
    port: {
      observe: (cameraId, timeMs, tracks, w, h) => {
        const placed = fusion.observe(cameraId, timeMs, tracks, w, h);
        evaluateRules(timeMs);
        return placed;
      },
      cameraStarted: (cameraId) => fusion.forgetCamera(cameraId),
      addAppearance: (cameraId, items) => fusion.addAppearance(cameraId, items),
    },
    map: () => current.map,
    fusion: () => fusion,
    readPlanImage: (fileName) => readContained(plansDir, join(plansDir, fileName)),
    async savePlanImage(fileName, bytes) {
      await mkdir(plansDir, { recursive: true });
      const tmp = join(plansDir, `.${fileName}.${randomUUID()}.tmp`);
      await writeFile(tmp, bytes);
      await rename(tmp, join(plansDir, fileName));
    },
    reconfigure(next, nextCameras) {
      const map = buildSiteMap(next.site, nextCameras);
      if (JSON.stringify(map.problems) !== JSON.stringify(current.map.problems)) report(map);
      const fusionChanged = JSON.stringify(next.site.fusion) !== JSON.stringify(current.config.site.fusion) || next.site.trajectories.sampleMs !== current.config.site.trajectories.sampleMs;
      current = { config: next, map };
      if (fusionChanged) {
        // New fusion settings start the people afresh (ids are never reused: they start at the current time), and so
        // the site rules, whose episodes are people.
        fusion = fusionOf(next, map);
        restartRules(next, map);
        log.info('cross-camera identity settings changed; people are joined afresh');
      } else {
        fusion.setMap(map);
        writeEvents(rules.set(next.site.rules, map, Math.max(lastRulesMs, 0)), null);
      }
    },
    async stop() {
      clearInterval(flushTimer);
      clearInterval(mapTimer);
      clearInterval(retentionTimer);
      if (lastRulesMs > -Infinity) writeEvents(rules.flush(lastRulesMs), null);
      await writes;
      // A write in progress first, then what came in meanwhile.
      await flush();
      await flush();
    },
  };
}
