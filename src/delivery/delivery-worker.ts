/**
 * The delivery worker: one loop per destination claims due deliveries from the outbox (with a lease, so several
 * workers share one outbox), hands them to the destination's sender, judges each outcome with the retry policy and
 * records it. Destinations never wait for each other; within one, up to the sender's `maxInFlight` deliveries are in the air, so a
 * slow receiver answer holds one slot, not the queue; versions of one event go out in order (the claim skips a
 * version while an earlier one waits). A 410 disables exactly its destination. Everything with I/O is a port.
 */
import { errorMessage } from '../core/errors.ts';
import type { DeliveryMetrics } from './delivery-metrics.ts';
import { matchesContent, matchesVersion, type DeliveryFilter, type FilteredVersion } from './filter.ts';
import type { DeliveryUpdate, OutboxPort } from './outbox.ts';
import { judge, type RetryPolicy } from './retry-policy.ts';
import type { ClaimedDelivery, Sender, SendResult, TestResult } from './sender.ts';

/** How long newly stored versions are gathered before a claim, once the queue is caught up (ms). */
const CLAIM_GATHER_MS = 20;
/** Lease of a claimed delivery when the sender names none (ms). */
const DEFAULT_LEASE_MS = 120_000;
/** How long finished attempts wait to be recorded together (ms). */
const FLUSH_DELAY_MS = 20;

/** One destination as the worker runs it. */
export interface WorkerDestination {
  readonly id: string;
  readonly filter: DeliveryFilter;
  readonly retry: RetryPolicy;
  /** Its adapter; its `maxInFlight` (default `batchSize`) caps the deliveries in the air, its `leaseMs` the lease. */
  readonly sender: Sender;
}

/** The smallest logger the worker needs. */
export interface WorkerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface DeliveryWorkerPorts {
  readonly outbox: OutboxPort;
  readonly destinations: readonly WorkerDestination[];
  /** This process's lease owner name (stable across restarts of the same node, so its stale leases are released). */
  readonly owner: string;
  readonly now: () => number;
  readonly random: () => number;
  readonly log: WorkerLog;
  readonly metrics: DeliveryMetrics;
  /** Longest wait between two looks at the outbox when nothing wakes the worker (ms). */
  readonly pollMs: number;
}

/** Runs every destination's loop until `stop`. */
export class DeliveryWorker {
  readonly #p: DeliveryWorkerPorts;
  readonly #loops = new Map<string, DestinationLoop>();
  /** Open events of this process and the destinations whose filter one of their versions matched. */
  readonly #routed = new Map<string, Set<string>>();
  #started = false;

  constructor(ports: DeliveryWorkerPorts) {
    this.#p = ports;
    for (const d of ports.destinations) this.#loops.set(d.id, new DestinationLoop(d, ports));
  }

  /** Reads which destinations a 410 disabled (before anything is routed: events closed at start included). */
  async loadStates(): Promise<void> {
    for (const s of await this.#p.outbox.destinationStates()) {
      const loop = this.#loops.get(s.destinationId);
      if (loop) loop.disabledReason = s.disabled ? (s.reason ?? 'disabled') : null;
    }
  }

  /** Releases this owner's stale leases, reads the destinations' states, and starts the loops. */
  async start(): Promise<void> {
    const released = await this.#p.outbox.releaseLeases(this.#p.owner);
    if (released > 0) this.#p.log.info({ deliveries: released }, 'deliveries in flight when the last run ended are due again');
    await this.loadStates();
    this.#started = true;
    for (const loop of this.#loops.values()) {
      if (loop.disabledReason) this.#p.log.warn({ destination: loop.d.id, reason: loop.disabledReason }, `destination "${loop.d.id}" is disabled; POST /api/destinations/${loop.d.id}/enable turns it back on`);
      loop.start();
    }
  }

  /**
   * Destinations whose filter takes this version and that are not disabled (for the outbox write). Sticky per event:
   * once a version of an event matched a destination's filter (type, camera, rule, labels, severity), every later
   * version goes there too (in the kinds it takes), even when it no longer matches, so a receiver that got the start
   * also gets the end although the subjects or the severity changed between them.
   */
  route(v: FilteredVersion): string[] {
    const out: string[] = [];
    const sticky = this.#routed.get(v.event.id);
    const matched = new Set<string>(sticky);
    for (const loop of this.#loops.values()) {
      const content = sticky?.has(loop.d.id) || matchesContent(loop.d.filter, v.event);
      if (!content) continue;
      matched.add(loop.d.id);
      if (!loop.disabledReason && matchesVersion(loop.d.filter, v.kind)) out.push(loop.d.id);
    }
    if (v.kind === 'end' || v.kind === 'instant') this.#routed.delete(v.event.id);
    else if (matched.size > 0) this.#routed.set(v.event.id, matched);
    return out;
  }

  /** Looks at the outbox now (new rows were written, or a delivery was made due by the API). */
  wake(destinationIds?: readonly string[]): void {
    if (!this.#started) return;
    for (const [id, loop] of this.#loops) if (!destinationIds || destinationIds.includes(id)) loop.wake();
  }

  /** Why the destination is disabled, or null. */
  disabledReason(destinationId: string): string | null {
    return this.#loops.get(destinationId)?.disabledReason ?? null;
  }

  /** Ids of the destinations a 410 (or the API) disabled. */
  disabledIds(): Set<string> {
    return new Set([...this.#loops.values()].filter((l) => l.disabledReason).map((l) => l.d.id));
  }

  /** Turns a disabled destination back on (its waiting deliveries resume). False when there is no such destination. */
  async enable(destinationId: string): Promise<boolean> {
    const loop = this.#loops.get(destinationId);
    if (!loop) return false;
    await this.#p.outbox.setDestinationState({ destinationId, disabled: false, reason: null, changedMs: this.#p.now() });
    loop.disabledReason = null;
    loop.wake();
    return true;
  }

  /** Sends the destination's test message; null when there is no such destination. */
  async test(destinationId: string): Promise<TestResult | null> {
    const loop = this.#loops.get(destinationId);
    return loop ? loop.d.sender.test() : null;
  }

  /**
   * Runs `destinations` from now on (a configuration change): loops of destinations that are gone or were replaced by
   * another object stop as in `stop` (attempts in flight recorded, the rest released), new ones start with their stored
   * state; the same object keeps its loop untouched.
   */
  async replaceDestinations(destinations: readonly WorkerDestination[], graceMs = 10_000): Promise<void> {
    const stopping = [...this.#loops].filter(([id, loop]) => destinations.find((d) => d.id === id) !== loop.d);
    for (const [id] of stopping) this.#loops.delete(id);
    await Promise.all(stopping.map(([, loop]) => loop.stop(graceMs)));
    const added = destinations.filter((d) => !this.#loops.has(d.id)).map((d) => new DestinationLoop(d, this.#p));
    for (const loop of added) this.#loops.set(loop.d.id, loop);
    if (!this.#started) return;
    await this.loadStates();
    for (const loop of added) loop.start();
  }

  /**
   * Stops claiming, waits (at most `graceMs`) for attempts in flight and records them, then closes the senders;
   * attempts the closing cuts are not recorded: their leases are released, so they are sent again at the next start.
   */
  async stop(graceMs = 10_000): Promise<void> {
    await Promise.all([...this.#loops.values()].map((l) => l.stop(graceMs)));
  }
}

/** One destination's claim-send-record loop. */
class DestinationLoop {
  disabledReason: string | null = null;
  #running = false;
  #inFlight = 0;
  #woken = false;
  #wakeNow: (() => void) | null = null;
  #done: Promise<void> = Promise.resolve();
  #records: DeliveryUpdate[] = [];
  /** Set when stopping cuts the attempts still in the air; their deliveries are released, not recorded. */
  #cutting = false;
  readonly #cut: string[] = [];
  /** The last claim found fewer due deliveries than it asked for. */
  #caughtUp = false;
  /** Claimed, not yet attempted, oldest first. */
  #queue: ClaimedDelivery[] = [];
  /** Most deliveries in the air at once. */
  readonly #maxInFlight: number;
  /** Most deliveries claimed ahead and in flight together. */
  readonly #prefetch: number;
  #flushing: Promise<void> | null = null;
  #flushTimer: Promise<void> | null = null;
  readonly #sends = new Set<Promise<void>>();

  constructor(
    readonly d: WorkerDestination,
    private readonly p: DeliveryWorkerPorts,
  ) {
    d.sender.onReady(() => this.wake());
    this.#maxInFlight = d.sender.maxInFlight ?? d.sender.batchSize;
    this.#prefetch = Math.max(this.#maxInFlight, Math.min(256, this.#maxInFlight * 8));
  }

  start(): void {
    this.#running = true;
    this.#done = this.#run();
  }

  wake(): void {
    this.#woken = true;
    this.#wakeNow?.();
  }

  async stop(graceMs: number): Promise<void> {
    this.#running = false;
    this.wake();
    await this.#done;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.#sends]), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    // What is still in the air is cut; its results are not attempts of the receiver's making.
    this.#cutting = true;
    await this.d.sender.close().catch(() => undefined);
    await Promise.allSettled([...this.#sends]);
    await this.#flush();
    if (this.#cut.length > 0) await this.p.outbox.release(this.p.owner, this.#cut).catch(() => undefined);
  }

  /**
   * Claims ahead (up to `#prefetch` deliveries, queued here), so one claim feeds many attempts; dispatches while
   * slots are free; sleeps until an attempt ends, a new version is stored, or the next retry is due.
   */
  async #run(): Promise<void> {
    const { outbox, owner, now, log } = this.p;
    while (this.#running) {
      try {
        if (this.disabledReason || !this.d.sender.ready()) {
          await this.#releaseQueued();
          await this.#sleep(this.p.pollMs);
          continue;
        }
        this.#dispatch();
        const want = this.#prefetch - this.#queue.length - this.#inFlight;
        if (this.#queue.length < this.#maxInFlight && want > 0) {
          // Caught up with the queue, a claim per stored version would cost more than the sends (a few ms each on
          // PGlite): new versions are gathered for CLAIM_GATHER_MS and claimed together.
          if (this.#caughtUp) await this.#pause(CLAIM_GATHER_MS);
          const t = now();
          // The lease covers the wait in this queue: at most prefetch / maxInFlight rounds of attempts.
          const leaseMs = (this.d.sender.leaseMs ?? DEFAULT_LEASE_MS) * Math.ceil(this.#prefetch / this.#maxInFlight);
          const claimed = await outbox.claim(this.d.id, want, owner, t, t + leaseMs);
          this.#caughtUp = claimed.length < want;
          if (claimed.length > 0) {
            this.#queue.push(...claimed);
            continue;
          }
          if (this.#queue.length === 0 && this.#inFlight === 0) {
            const due = await outbox.nextDueMs(this.d.id);
            const t2 = now();
            await this.#sleep(due !== null && due > t2 ? Math.min(due - t2, this.p.pollMs) : this.p.pollMs);
            continue;
          }
        }
        await this.#sleep(this.p.pollMs);
      } catch (err) {
        log.error({ destination: this.d.id, err: errorMessage(err) }, 'delivery outbox unavailable; trying again');
        await this.#sleep(this.p.pollMs);
      }
    }
    await this.#releaseQueued().catch(() => undefined);
  }

  /** Starts attempts for queued deliveries while slots are free, in chunks of the sender's batch size. */
  #dispatch(): void {
    while (this.#queue.length > 0 && this.#inFlight < this.#maxInFlight) {
      const n = Math.min(this.d.sender.batchSize, this.#maxInFlight - this.#inFlight);
      this.#send(this.#queue.splice(0, n));
    }
  }

  /** Gives back the leases of deliveries queued here but not attempted (destination disabled or down, stopping). */
  async #releaseQueued(): Promise<void> {
    if (this.#queue.length === 0) return;
    const ids = this.#queue.map((c) => c.id);
    this.#queue = [];
    await this.p.outbox.release(this.p.owner, ids);
  }

  /** Waits `ms` whatever wakes the loop meanwhile. */
  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** Waits `ms`, or less when woken; returns at once when woken since the last wait. */
  #sleep(ms: number): Promise<void> {
    if (this.#woken || !this.#running) {
      this.#woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wakeNow = null;
        resolve();
      }, Math.max(1, ms));
      this.#wakeNow = () => {
        clearTimeout(timer);
        this.#wakeNow = null;
        this.#woken = false;
        resolve();
      };
    });
  }

  #send(batch: readonly ClaimedDelivery[]): void {
    this.#inFlight += batch.length;
    const startMs = this.p.now();
    const sending = this.d.sender
      .send(batch, startMs)
      .catch((err: unknown): SendResult[] =>
        batch.map((c) => ({ deliveryId: c.id, outcome: { kind: 'network', error: errorMessage(err) }, latencyMs: this.p.now() - startMs })),
      )
      .then((results) => {
        // The slots are free as soon as the receiver answered; a later version of the same event still waits for
        // this one's record (the claim skips it while this one is pending), so order holds.
        this.#inFlight -= batch.length;
        this.wake();
        return this.#judge(batch, results, startMs);
      })
      .catch((err: unknown) => this.p.log.error({ destination: this.d.id, err: errorMessage(err) }, 'could not judge delivery results; their leases will expire and they are sent again'))
      .finally(() => {
        this.#sends.delete(sending);
        this.wake();
      });
    this.#sends.add(sending);
  }

  #judge(batch: readonly ClaimedDelivery[], results: readonly SendResult[], startMs: number): Promise<void> {
    const { metrics, now, random, log } = this.p;
    if (this.#cutting) {
      this.#cut.push(...batch.map((c) => c.id));
      return Promise.resolve();
    }
    const counters = metrics.of(this.d.id);
    const byId = new Map(results.map((r) => [r.deliveryId, r]));
    for (const c of batch) {
      const r = byId.get(c.id) ?? { deliveryId: c.id, outcome: { kind: 'network', error: 'the sender reported no result' }, latencyMs: now() - startMs };
      const o = r.outcome;
      if (o.kind === 'deferred') {
        this.#records.push({ deliveryId: c.id, kind: 'defer', untilMs: o.untilMs, reason: o.reason });
        continue;
      }
      const endMs = startMs + r.latencyMs;
      const base = { deliveryId: c.id, kind: 'attempt' as const, attempt: c.attempt, atMs: startMs, latencyMs: r.latencyMs };
      counters.attempts++;
      const delivered = () => {
        counters.delivered++;
        metrics.observeLatency(this.d.id, endMs - c.message.createdMs);
      };
      if (o.kind === 'folded') {
        delivered();
        this.#records.push({ ...base, verdict: 'folded', status: 'delivered', nextAttemptMs: null, statusCode: null, error: `sent in the digest of delivery ${o.intoDeliveryId}` });
        continue;
      }
      const v = judge(o, c.attempt, c.firstAttemptMs ?? startMs, endMs, this.d.retry, random);
      const statusCode = o.kind === 'status' ? o.status : null;
      const detail = r.detail ? ` (${r.detail})` : '';
      if (v.action === 'delivered') {
        delivered();
        this.#records.push({ ...base, verdict: 'delivered', status: 'delivered', nextAttemptMs: null, statusCode, error: null });
      } else if (v.action === 'retry') {
        counters.failures++;
        this.#records.push({ ...base, verdict: 'retry', status: 'failed', nextAttemptMs: v.atMs, statusCode, error: `${v.reason}${detail}` });
      } else if (v.action === 'dead') {
        counters.dead++;
        log.warn({ destination: this.d.id, delivery: c.id, message: c.message.id, reason: v.reason }, 'delivery dead-lettered');
        this.#records.push({ ...base, verdict: 'dead', status: 'dead', nextAttemptMs: null, statusCode, error: `${v.reason}${detail}` });
      } else {
        counters.failures++;
        // The version waits (failed, due) until the destination is enabled again.
        this.#records.push({ ...base, verdict: 'disable', status: 'failed', nextAttemptMs: endMs, statusCode, error: v.reason });
        if (!this.disabledReason) this.#disable(v.reason);
      }
    }
    return this.#flushSoon();
  }

  /**
   * Records the collected results a moment later (`FLUSH_DELAY_MS`), so attempts that end together are written by
   * one statement instead of one each; resolves when they are written.
   */
  #flushSoon(): Promise<void> {
    if (!this.#flushTimer) {
      this.#flushTimer = new Promise<void>((resolve) => setTimeout(resolve, FLUSH_DELAY_MS)).then(() => {
        this.#flushTimer = null;
        return this.#flush();
      });
    }
    return this.#flushTimer;
  }

  #disable(reason: string): void {
    this.disabledReason = reason;
    this.p.log.error({ destination: this.d.id, reason }, `destination "${this.d.id}" disabled: ${reason}; POST /api/destinations/${this.d.id}/enable turns it back on`);
    this.p.outbox
      .setDestinationState({ destinationId: this.d.id, disabled: true, reason, changedMs: this.p.now() })
      .catch((err: unknown) => this.p.log.error({ destination: this.d.id, err: errorMessage(err) }, 'could not store the disabled state'));
  }

  /** Writes the collected records in one go; a write already running takes the ones that arrive meanwhile. */
  #flush(): Promise<void> {
    if (this.#flushing) return this.#flushing.then(() => (this.#records.length > 0 ? this.#flush() : undefined));
    this.#flushing = (async () => {
      while (this.#records.length > 0) {
        const batch = this.#records;
        this.#records = [];
        try {
          await this.p.outbox.record(this.p.owner, batch);
        } catch (err) {
          // The leases expire and the deliveries are tried again: at least once, never lost.
          this.p.log.error({ destination: this.d.id, err: errorMessage(err), deliveries: batch.length }, 'could not record delivery attempts; they will be retried when their lease ends');
        }
      }
    })().finally(() => {
      this.#flushing = null;
    });
    return this.#flushing;
  }
}
