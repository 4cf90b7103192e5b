/**
 * A node of a cluster (`cluster.role` api or worker): its coordinator (heartbeats, camera leases), the Redis relay of
 * live messages, the configuration taken from other nodes' changes, and the view `GET /api/cluster` serves. With
 * `role: all` (one box) none of it runs and the view is this process alone.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { CameraHandle } from './api/camera-handle.ts';
import type { ClusterViewJson } from './api/routes/cluster.ts';
import { startRedisRelay, type LiveRelay } from './broker/redis-relay.ts';
import type { CameraUnit } from './cluster/assignment.ts';
import type { NodeStatus } from './cluster/cluster-store.ts';
import { ClusterCoordinator } from './cluster/coordinator.ts';
import { locateCamera, remoteCameraHandles } from './cluster/remote-cameras.ts';
import { startInternalServer } from './api/internal-server.ts';
import { RemoteMedia } from './live/remote-media.ts';
import type { Config, CameraConfig } from './config/schema.ts';
import { errorMessage } from './core/errors.ts';
import type { ConfigService } from './manage/config-service.ts';
import type { LiveMessage } from './pipeline/live-messages.ts';
import { SqlClusterStore } from './store/cluster-repository.ts';
import type { SqlDatabase } from './store/sql-database.ts';

/** This build's version (package.json). */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** What GET /api/cluster shows. */
export type ClusterView = ClusterViewJson;

export interface ClusterNode {
  readonly role: Config['cluster']['role'];
  readonly nodeId: string;
  /** The key that signs snapshot links, shared by every node through the database; null on one box (a file in dataDir). */
  readonly linkKey: Uint8Array | null;
  /** The coordinator (api and worker roles); null on one box. */
  readonly coordinator: ClusterCoordinator | null;
  /** The cameras as an API node sees them (remote status); null on other roles. */
  readonly remoteCameras: (() => CameraHandle[]) | null;
  view(): Promise<ClusterView>;
  /** Starts heartbeats, the relay and config refreshes; `run` runs a worker's held cameras. */
  start(ports: {
    run(ids: ReadonlySet<string>): Promise<void>; cameras(): CameraHandle[]; publishHere(m: LiveMessage): void; closeOpen(ids: readonly string[]): Promise<void>;
    /** Releases the deliveries a node that died had claimed. */
    releaseDeliveries(nodeId: string): Promise<void>;
    /** A worker's Prometheus text beyond its cameras (deliveries). */
    metricsText(): Promise<string>;
  }): Promise<void>;
  /** Sends a message of this node's cameras to the other nodes (worker). */
  publish(m: LiveMessage): void;
  /** Hands the cameras over and leaves. */
  stop(): Promise<void>;
}

/** Process CPU (share of one core since the last call) and resident memory. */
function loadMeter(): () => { cpu: number; rssMb: number } {
  let last = process.cpuUsage();
  let at = performance.now();
  return () => {
    const now = performance.now();
    const used = process.cpuUsage(last);
    last = process.cpuUsage();
    const cpu = (used.user + used.system) / 1000 / Math.max(1, now - at);
    at = now;
    return { cpu: Math.round(cpu * 1000) / 1000, rssMb: Math.round(process.memoryUsage.rss() / 1048576) };
  };
}

const unitsOf = (cameras: readonly CameraConfig[]): CameraUnit[] =>
  cameras.filter((c) => c.enabled).map((c) => ({ id: c.id, parentId: c.source.url.startsWith('tile:') ? c.source.url.slice(5) : null }));

/**
 * The node for `config.cluster`: on one box (`all`) a shell that only answers the view; otherwise joins the cluster
 * (throws NODE_ID_TAKEN when another live node has this id).
 */
export async function joinCluster(args: {
  config: Config; db: SqlDatabase; nodeId: string; configs: ConfigService; effectiveCameras: (c: Config) => CameraConfig[]; log: Logger;
}): Promise<ClusterNode> {
  const { config, db, nodeId, configs, log } = args;
  const c = config.cluster;
  const clog = log.child({ component: 'cluster', node: nodeId });
  if (c.role === 'all') {
    let cameras: () => CameraHandle[] = () => [];
    const meter = loadMeter();
    const started = Date.now();
    return {
      role: 'all', nodeId, coordinator: null, remoteCameras: null, linkKey: null,
      async view() {
        const ids = cameras().map((h) => h.id);
        return {
          self: nodeId, role: 'all', redis: null,
          nodes: [{ id: nodeId, role: 'all', version: VERSION, host: hostname(), pid: process.pid, capacity: c.capacity, draining: false, startedMs: started, heartbeatAgeMs: 0, cameras: ids, load: meter() }],
          assignments: args.effectiveCameras(configs.current()).map((cam) => ({ cameraId: cam.id, node: cam.enabled ? nodeId : null, epoch: null })),
        };
      },
      async start(ports) {
        cameras = ports.cameras;
      },
      publish() {},
      async stop() {},
    };
  }

  const store = new SqlClusterStore(db);
  const meter = loadMeter();
  let lastLoad = meter();
  let cameraHandles: () => CameraHandle[] = () => [];
  let internalUrl: string | undefined;
  const status = (): NodeStatus => ({
    cameras: c.role === 'worker' ? cameraHandles().map((h) => h.status() as unknown as { id: string } & Record<string, unknown>) : [], load: lastLoad,
    ...(internalUrl ? { url: internalUrl } : {}),
  });
  let runCameras: (ids: ReadonlySet<string>) => Promise<void> = async () => undefined;
  let closeOpen: (ids: readonly string[]) => Promise<void> = async () => undefined;
  let releaseDeliveries: (nodeId: string) => Promise<void> = async () => undefined;
  const coordinator = new ClusterCoordinator({
    store, self: { id: nodeId, instance: randomUUID(), role: c.role, version: VERSION, host: hostname(), pid: process.pid, capacity: c.capacity },
    leaseMs: c.leaseMs, heartbeatMs: c.heartbeatMs, now: () => performance.now(),
    cameras: () => unitsOf(args.effectiveCameras(configs.current())),
    status, run: (ids) => runCameras(ids), acquired: (ids) => closeOpen(ids), log: clog,
    nodesGone: async (ids) => {
      for (const id of ids) await releaseDeliveries(id);
    },
  });
  // Redis first: a wrong URL is said before the node takes part in anything.
  let publishHere: (m: LiveMessage) => void = () => undefined;
  const relay: LiveRelay = await startRedisRelay({
    url: c.redisUrl!, nodeId, log: clog,
    ...(c.role === 'api' ? { onMessage: (m: LiveMessage) => publishHere(m) } : {}),
  });
  try {
    await coordinator.join();
  } catch (err) {
    await relay.close();
    throw err;
  }
  clog.info({ role: c.role, capacity: c.capacity, leaseMs: c.leaseMs }, 'joined the cluster');
  const secret = await store.sharedSecret('internal_secret', () => randomBytes(32).toString('base64url'));
  // Snapshot links signed by a worker (in a webhook) must verify on every API node.
  const linkKey = Buffer.from(await store.sharedSecret('link_signing_key', () => randomBytes(32).toString('base64')), 'base64');
  const media = new RemoteMedia({ locate: (id) => locateCamera(coordinator.nodes(), id), secret: () => secret, now: Date.now });
  let internal: Server | null = null;

  const timers: NodeJS.Timeout[] = [];
  let expireTimer: NodeJS.Timeout | null = null;
  const waits: (() => Promise<void>)[] = [];
  let stopped = false;
  return {
    role: c.role, nodeId, coordinator, linkKey,
    remoteCameras: c.role === 'api' ? () => remoteCameraHandles(args.effectiveCameras(configs.current()), coordinator.nodes(), media) : null,
    async view() {
      const [nodes, leases] = await Promise.all([store.nodes(c.leaseMs), store.leases()]);
      const live = new Map(leases.filter((l) => l.live).map((l) => [l.cameraId, l]));
      return {
        self: nodeId, role: c.role, redis: { connected: relay.connected, dropped: relay.dropped },
        nodes: nodes.map((n) => ({
          id: n.id, role: n.role, version: n.version, host: n.host, pid: n.pid, capacity: n.capacity, draining: n.draining, startedMs: n.startedMs,
          heartbeatAgeMs: n.ageMs, cameras: (n.status.cameras ?? []).map((s) => s.id), load: n.status.load ?? null,
        })),
        assignments: args.effectiveCameras(configs.current()).map((cam) => {
          const l = live.get(cam.id);
          return { cameraId: cam.id, node: l?.owner ?? null, epoch: l?.epoch ?? null };
        }),
      };
    },
    async start(ports) {
      cameraHandles = ports.cameras;
      runCameras = ports.run;
      closeOpen = ports.closeOpen;
      releaseDeliveries = ports.releaseDeliveries;
      publishHere = ports.publishHere;
      if (c.role === 'worker') {
        const server = await startInternalServer({ cameras: ports.cameras, metricsText: ports.metricsText, secret, nodeId }, config.server.host, config.server.port);
        internal = server;
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : config.server.port;
        const host = ['0.0.0.0', '::', ''].includes(config.server.host) ? hostname() : config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
        internalUrl = c.advertiseUrl ?? `http://${host}:${port}`;
        clog.info({ url: internalUrl, listening: `${config.server.host}:${port}` }, 'internal HTTP for the other nodes (live video, snapshots, /metrics, /api/health)');
      }
      // Renewals and assignment rounds each on their own heartbeat, so that a slow hand-over never delays a renewal.
      const every = (fn: () => Promise<void>) => {
        let inFlight: Promise<void> | null = null;
        const go = () => {
          if (stopped || inFlight) return;
          inFlight = fn().finally(() => (inFlight = null));
        };
        timers.push(setInterval(go, c.heartbeatMs));
        go();
        return () => inFlight ?? Promise.resolve();
      };
      lastLoad = meter();
      waits.push(every(() => coordinator.renew()), every(async () => {
        lastLoad = meter();
        await coordinator.round();
      }));
      // Between rounds (a round may wait on a database that does not answer): stop what may run out soon. Kept going
      // until the node has stopped its cameras.
      expireTimer = setInterval(() => void coordinator.expire(), Math.max(50, c.heartbeatMs / 4));
      // Changes made on any API node, within a second (one read at a time).
      let lastRefreshError = '';
      let refreshing = false;
      timers.push(setInterval(() => {
        if (refreshing || stopped) return;
        refreshing = true;
        configs.refresh().then(() => {
          lastRefreshError = '';
        }, (err: unknown) => {
          const msg = errorMessage(err);
          if (msg !== lastRefreshError) clog.warn({ err: msg }, 'could not take the configuration stored by another node');
          lastRefreshError = msg;
        }).finally(() => (refreshing = false));
      }, 500));
      for (const t of [...timers, expireTimer]) t?.unref?.();
    },
    publish(m) {
      relay.publish(m);
    },
    async stop() {
      stopped = true;
      for (const t of timers) clearInterval(t);
      // A round or renewal waiting on a database that does not answer is not waited for longer than a lease.
      await Promise.race([Promise.all(waits.map((w) => w().catch(() => undefined))), new Promise((r) => setTimeout(r, c.leaseMs).unref())]);
      await coordinator.drain();
      if (expireTimer) clearInterval(expireTimer);
      media.close();
      await relay.close();
      internal?.closeAllConnections();
      await new Promise<void>((resolve) => (internal ? internal.close(() => resolve()) : resolve()));
    },
  };
}
