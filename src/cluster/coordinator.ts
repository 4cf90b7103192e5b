/**
 * A node's part in the cluster, driven by two loops of one heartbeat each:
 * - `renew()` extends the leases it holds and says it is alive (and nothing else, so that a slow hand-over never
 *   delays either);
 * - `round()` computes the assignment from the live workers and the leases, hands over the cameras
 *   that should run elsewhere (stop, then release) and takes the ones that should run here (acquire, close what the
 *   last holder left open, then start).
 * `expire()`, on a timer of its own, stops every camera whose lease may run out soon (no renewal for leaseMs minus a
 * margin of a third of it), so a worker cut off from the database stops before another takes over (no split brain).
 * Times here are this process's monotonic clock; the store compares with the database's clock. No I/O of its own:
 * the store, the clock and what "run these cameras" means are ports.
 */
import { AppError, errorMessage } from '../core/errors.ts';
import { assignCameras, type CameraUnit } from './assignment.ts';
import type { ClusterStore, NodeIdentity, NodeRecord, NodeStatus } from './cluster-store.ts';

export interface CoordinatorDeps {
  readonly store: ClusterStore;
  readonly self: NodeIdentity;
  readonly leaseMs: number;
  readonly heartbeatMs: number;
  /** Monotonic milliseconds. */
  readonly now: () => number;
  /** The enabled cameras of the configuration in force. */
  readonly cameras: () => readonly CameraUnit[];
  readonly status: () => NodeStatus;
  /** Runs exactly these cameras from now on; resolves when the others have stopped. Never called twice at once. */
  readonly run: (cameraIds: ReadonlySet<string>) => Promise<void>;
  /** Called with the ids of nodes whose heartbeat stopped (release the deliveries they had claimed). */
  readonly nodesGone?: (nodeIds: readonly string[]) => Promise<void>;
  /** Called with newly acquired cameras before they start (close what their last holder left open). */
  readonly acquired?: (cameraIds: readonly string[]) => Promise<void>;
  readonly log: { info(o: object, msg: string): void; warn(o: object, msg: string): void; error(o: object, msg: string): void };
}

interface Held {
  readonly epoch: number;
  /** Monotonic time by which the camera must have stopped unless renewed. */
  validUntil: number;
}

export class ClusterCoordinator {
  /** Leases held whose cameras may run. */
  private readonly held = new Map<string, Held>();
  /** Leases just acquired, not yet run (their last holder's open events are being closed). */
  private readonly pending = new Map<string, Held>();
  private running = new Set<string>();
  private runQueue: Promise<void> = Promise.resolve();
  private draining = false;
  /** Another process took this node id: this one holds and renews nothing any more. */
  private evicted = false;
  private nodesSeen: NodeRecord[] = [];
  private lastError: string | null = null;
  private readonly versionsWarned = new Set<string>();

  constructor(private readonly deps: CoordinatorDeps) {}

  /**
   * How long before a lease's end (by this process's clock) its camera is stopped: a third of the lease, at least one
   * heartbeat. With heartbeats at most a quarter of the lease, two renewals can fail before a camera stops.
   */
  private get marginMs(): number {
    return Math.max(this.deps.heartbeatMs, this.deps.leaseMs / 3);
  }

  /** The lease under which this node runs `cameraId` now, or null (the fence of its event writes). */
  lease(cameraId: string): { owner: string; epoch: number } | null {
    const h = this.held.get(cameraId) ?? this.pending.get(cameraId);
    return h && h.validUntil > this.deps.now() ? { owner: this.deps.self.id, epoch: h.epoch } : null;
  }

  /** The live nodes as of the last round. */
  nodes(): readonly NodeRecord[] {
    return this.nodesSeen;
  }

  /** The first heartbeat: throws NODE_ID_TAKEN when another live process has this node id. */
  async join(): Promise<void> {
    const ok = await this.deps.store.heartbeat(this.report(), this.deps.leaseMs);
    if (!ok) {
      const other = (await this.deps.store.nodes()).find((n) => n.id === this.deps.self.id);
      throw new AppError('NODE_ID_TAKEN', `node id "${this.deps.self.id}" is in use by a running node (${other ? `${other.role} on ${other.host}, pid ${other.pid}, last heartbeat ${Math.round(other.ageMs)} ms ago` : 'another process'}); give each node its own cluster.nodeId (env SIGHTLINE_CLUSTER__NODE_ID) or its own data folder`);
    }
    this.nodesSeen = await this.deps.store.nodes(this.deps.leaseMs);
    this.checkVersions();
  }

  /** Says once per node and version when another node runs another version (passes during a rolling upgrade). */
  private checkVersions(): void {
    for (const n of this.nodesSeen) {
      const key = `${n.id}@${n.version}`;
      if (n.version === this.deps.self.version || this.versionsWarned.has(key)) continue;
      this.versionsWarned.add(key);
      this.deps.log.warn({ node: n.id, version: n.version, thisVersion: this.deps.self.version }, `node ${n.id} runs Sightline ${n.version}, this node ${this.deps.self.version}; run one version on every node (a mix is fine only while upgrading one node at a time)`);
    }
  }

  /**
   * Renews the held leases (cameras whose leases were taken over stop) and writes the heartbeat. Errors are logged;
   * `expire` does the rest.
   */
  async renew(): Promise<void> {
    const { store, self, leaseMs, now } = this.deps;
    if (this.draining || this.evicted) return;
    try {
      if (self.role === 'worker' && this.held.size + this.pending.size > 0) await this.renewLeases();
      if (!(await store.heartbeat(this.report(), leaseMs))) this.evict();
      this.recovered();
    } catch (err) {
      this.failed(err);
    }
  }

  /** Another process took this node id: everything stops, nothing is renewed any more. */
  private evict(): void {
    if (this.evicted) return;
    this.evicted = true;
    this.deps.log.error({ node: this.deps.self.id }, 'this node id was taken over by another process; stopping every camera and leaving the rest to it');
    this.held.clear();
    this.pending.clear();
    void this.apply().catch(() => undefined);
  }

  private async renewLeases(): Promise<void> {
    const { store, self, leaseMs, now } = this.deps;
    {
      const t0 = now();
      // Only what was held when the renewal went out can be found lost by it (a camera taken on meanwhile is not).
      const before = new Map([...this.held].map(([id, h]) => [id, h.epoch]));
      const renewed = await store.renew(self.id, leaseMs, [...this.held.keys(), ...this.pending.keys()]);
      const kept = new Map(renewed.map((l) => [l.cameraId, l.epoch]));
      for (const map of [this.held, this.pending]) {
        for (const [id, h] of map) if (kept.get(id) === h.epoch) h.validUntil = Math.max(h.validUntil, t0 + leaseMs - this.marginMs);
      }
      const lost = [...before].filter(([id, epoch]) => this.held.get(id)?.epoch === epoch && kept.get(id) !== epoch).map(([id]) => id);
      if (lost.length > 0) {
        for (const id of lost) this.held.delete(id);
        this.deps.log.warn({ cameras: lost }, 'leases lost (taken over by another worker); stopping these cameras');
        // Not waited for: the next renewal must not wait on a slow stop.
        void this.apply().catch((err: unknown) => this.deps.log.error({ err: errorMessage(err) }, 'stopping cameras failed'));
      }
    }
  }

  /** One assignment round; errors (a database that does not answer) are logged and the next round tries again. */
  async round(): Promise<void> {
    if (this.evicted || this.draining) return;
    try {
      await this.assign();
      this.recovered();
    } catch (err) {
      this.failed(err);
    }
  }

  /** Both in turn (tests and a single loop). */
  async tick(): Promise<void> {
    await this.renew();
    await this.round();
    await this.expire();
  }

  private recovered(): void {
    if (this.lastError !== null) this.deps.log.info({}, 'the cluster database answers again');
    this.lastError = null;
  }

  private failed(err: unknown): void {
    const msg = errorMessage(err);
    if (msg !== this.lastError) this.deps.log.warn({ err: msg, holding: this.held.size }, 'cluster database call failed; cameras keep running until their leases could run out');
    this.lastError = msg;
  }

  /** Stops every camera whose lease may run out soon (not renewed for leaseMs minus the margin). Never throws. */
  async expire(): Promise<void> {
    const t = this.deps.now();
    const gone: string[] = [];
    for (const map of [this.held, this.pending]) {
      for (const [id, h] of map) {
        if (h.validUntil > t) continue;
        map.delete(id);
        gone.push(id);
      }
    }
    if (gone.length === 0) return;
    this.deps.log.error({ cameras: gone }, 'leases not renewed in time (the cluster database does not answer); stopping these cameras before another worker takes them over');
    await this.apply().catch((err: unknown) => this.deps.log.error({ err: errorMessage(err) }, 'stopping cameras failed'));
  }

  /**
   * Hands every camera over and leaves the cluster (a clean shutdown): the cameras stop first, while their leases
   * still fence their last event writes; then the leases are released and the node's row removed.
   */
  async drain(): Promise<void> {
    this.draining = true;
    const ids = [...this.held.keys(), ...this.pending.keys()];
    this.pending.clear();
    await this.apply(new Set()).catch((err: unknown) => this.deps.log.error({ err: errorMessage(err) }, 'stopping cameras failed'));
    this.held.clear();
    try {
      await this.deps.store.release(this.deps.self.id, ids);
      await this.deps.store.leave(this.deps.self.id, this.deps.self.instance);
    } catch (err) {
      this.deps.log.warn({ err: errorMessage(err) }, 'could not release the leases at shutdown; the other workers take the cameras when they run out');
    }
    if (ids.length > 0) this.deps.log.info({ cameras: ids }, 'cameras handed over');
  }

  private report() {
    return { ...this.deps.self, draining: this.draining, status: this.deps.status() };
  }

  private async assign(): Promise<void> {
    const { store, self, leaseMs, now } = this.deps;
    const before = this.nodesSeen;
    this.nodesSeen = await store.nodes(leaseMs);
    const gone = before.filter((n) => n.id !== self.id && !this.nodesSeen.some((m) => m.id === n.id)).map((n) => n.id);
    if (gone.length > 0 && self.role === 'worker') {
      this.deps.log.warn({ nodes: gone }, 'nodes stopped sending heartbeats; the deliveries they had claimed are released to the others');
      await this.deps.nodesGone?.(gone);
    }
    this.checkVersions();
    if (self.role !== 'worker' || this.draining) return;

    const workers = this.nodesSeen.filter((n) => n.role === 'worker').map((n) => ({ id: n.id, capacity: n.capacity, draining: n.draining }));
    const leases = await store.leases();
    const current = new Map(leases.filter((l) => l.live && l.owner !== null).map((l) => [l.cameraId, l.owner!]));
    const cameras = this.deps.cameras();
    const desired = assignCameras(workers, cameras, current);
    // Leases this node holds in the database but does not track (a release that failed): given up when the camera
    // belongs elsewhere now; a camera that belongs here is taken on again below (same epoch).
    const orphans = [...current].filter(([id, owner]) => owner === self.id && !this.held.has(id) && !this.pending.has(id) && desired.get(id) !== self.id).map(([id]) => id);
    if (orphans.length > 0) await store.release(self.id, orphans);
    const give = [...this.held.keys()].filter((id) => desired.get(id) !== self.id);
    if (give.length > 0) {
      // Stopped while still held, so that the events they end are stored under their leases.
      await this.apply(new Set([...this.held.keys()].filter((id) => !give.includes(id))));
      for (const id of give) this.held.delete(id);
      await store.release(self.id, give);
      this.deps.log.info({ cameras: give }, 'cameras handed over to other workers');
    }
    const take = cameras.map((c) => c.id).filter((id) => desired.get(id) === self.id && !this.held.has(id) && !this.pending.has(id) && (current.get(id) ?? self.id) === self.id);
    const got: string[] = [];
    for (const id of take) {
      const t0 = now();
      const lease = await store.acquire(id, self.id, leaseMs);
      if (!lease) continue;
      this.pending.set(id, { epoch: lease.epoch, validUntil: t0 + leaseMs - this.marginMs });
      got.push(id);
    }
    if (got.length === 0) return this.reconcile();
    try {
      await this.deps.acquired?.(got);
      if (this.draining || this.evicted) throw new AppError('INTERNAL', 'the node stopped while taking cameras on');
    } catch (err) {
      // Not run without its last holder's events closed: given back, taken again at a later round.
      for (const id of got) this.pending.delete(id);
      await store.release(self.id, got).catch(() => undefined);
      throw err;
    }
    const started: string[] = [];
    for (const id of got) {
      const h = this.pending.get(id);
      this.pending.delete(id);
      // Expired meanwhile (by `expire`): not started.
      if (h) {
        this.held.set(id, h);
        started.push(id);
      }
    }
    this.deps.log.info({ cameras: started, epochs: started.map((id) => this.held.get(id)?.epoch) }, 'cameras taken on');
    await this.apply();
  }

  /** Runs the held cameras again when what runs is not what is held (a run that failed). */
  private async reconcile(): Promise<void> {
    const held = [...this.held.keys()];
    if (held.length !== this.running.size || held.some((id) => !this.running.has(id))) await this.apply();
  }

  /**
   * Runs the held cameras, or `only` (serialised; a change of configuration goes through `reapply`); nothing once the
   * node drains or was evicted. `runningIds` changes only when the run succeeded.
   */
  private apply(only?: ReadonlySet<string>): Promise<void> {
    const run = this.runQueue.then(async () => {
      const next = this.draining || this.evicted ? new Set<string>() : new Set(only ?? this.held.keys());
      await this.deps.run(next);
      this.running = next;
    });
    this.runQueue = run.catch(() => undefined);
    return run;
  }

  /** Runs the held cameras again (the configuration changed). */
  reapply(): Promise<void> {
    return this.apply();
  }

  /** Cameras being run now. */
  get runningIds(): ReadonlySet<string> {
    return this.running;
  }
}
