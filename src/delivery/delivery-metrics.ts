/**
 * Delivery counters and the delivery-latency histogram per destination, and their Prometheus text (pure). Queue
 * depth and the oldest waiting age come from the outbox at scrape time.
 */
import type { DestinationQueueStats } from './outbox.ts';

/** Upper bounds of the latency histogram buckets, in ms (event stored → receiver answered). */
export const LATENCY_BUCKETS_MS = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 300_000, 3_600_000] as const;

/** One destination's counters since the process started. */
export interface DestinationCounters {
  attempts: number;
  delivered: number;
  failures: number;
  dead: number;
  /** Cumulative counts per bucket of `LATENCY_BUCKETS_MS`, then +Inf. */
  readonly latencyBuckets: number[];
  latencySumMs: number;
  latencyCount: number;
}

/** Counters of every destination of this process. */
export class DeliveryMetrics {
  readonly #by = new Map<string, DestinationCounters>();

  /** The counters of a destination (created at zero). */
  of(destinationId: string): DestinationCounters {
    let c = this.#by.get(destinationId);
    if (!c) {
      c = { attempts: 0, delivered: 0, failures: 0, dead: 0, latencyBuckets: new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0), latencySumMs: 0, latencyCount: 0 };
      this.#by.set(destinationId, c);
    }
    return c;
  }

  /** Adds one delivery's latency from the event being stored to the receiver's answer. */
  observeLatency(destinationId: string, latencyMs: number): void {
    const c = this.of(destinationId);
    const ms = Math.max(0, latencyMs);
    LATENCY_BUCKETS_MS.forEach((le, i) => {
      if (ms <= le) c.latencyBuckets[i]!++;
    });
    c.latencyBuckets[LATENCY_BUCKETS_MS.length]!++;
    c.latencySumMs += ms;
    c.latencyCount++;
  }

  /** Destination ids with counters. */
  ids(): string[] {
    return [...this.#by.keys()].sort();
  }
}

const label = (v: string) => v.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');

/** Prometheus text for the delivery metrics of `destinationIds`, with the outbox's queue figures at `nowMs`. */
export function formatDeliveryMetrics(metrics: DeliveryMetrics, destinationIds: readonly string[], queue: readonly DestinationQueueStats[], disabled: ReadonlySet<string>, nowMs: number): string {
  const lines: string[] = [];
  const gauge = (name: string, help: string, type: 'gauge' | 'counter', value: (id: string) => number) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const id of destinationIds) lines.push(`${name}{destination="${label(id)}"} ${value(id)}`);
  };
  const q = (id: string) => queue.find((s) => s.destinationId === id);
  gauge('sightline_delivery_queue_depth', 'Deliveries waiting (pending or failed, to be retried).', 'gauge', (id) => (q(id)?.pending ?? 0) + (q(id)?.failed ?? 0));
  gauge('sightline_delivery_oldest_pending_seconds', 'Age of the oldest waiting delivery, 0 when none waits.', 'gauge', (id) => {
    const oldest = q(id)?.oldestWaitingMs ?? null;
    return oldest === null ? 0 : Math.max(0, (nowMs - oldest) / 1000);
  });
  gauge('sightline_delivery_dead_letters', 'Deliveries given up (dead) kept in the outbox.', 'gauge', (id) => q(id)?.dead ?? 0);
  gauge('sightline_delivery_destination_disabled', '1 when the destination is disabled (a 410 answer).', 'gauge', (id) => (disabled.has(id) ? 1 : 0));
  gauge('sightline_delivery_attempts_total', 'Delivery attempts made by this process.', 'counter', (id) => metrics.of(id).attempts);
  gauge('sightline_delivery_successes_total', 'Deliveries the receiver accepted.', 'counter', (id) => metrics.of(id).delivered);
  gauge('sightline_delivery_failures_total', 'Attempts that failed and will be retried.', 'counter', (id) => metrics.of(id).failures);
  gauge('sightline_delivery_dead_total', 'Deliveries dead-lettered by this process.', 'counter', (id) => metrics.of(id).dead);
  lines.push(
    '# HELP sightline_delivery_latency_ms Milliseconds from an event version being stored to its receiver accepting it.',
    '# TYPE sightline_delivery_latency_ms histogram',
  );
  for (const id of destinationIds) {
    const c = metrics.of(id);
    const d = label(id);
    LATENCY_BUCKETS_MS.forEach((le, i) => lines.push(`sightline_delivery_latency_ms_bucket{destination="${d}",le="${le}"} ${c.latencyBuckets[i]}`));
    lines.push(
      `sightline_delivery_latency_ms_bucket{destination="${d}",le="+Inf"} ${c.latencyBuckets[LATENCY_BUCKETS_MS.length]}`,
      `sightline_delivery_latency_ms_sum{destination="${d}"} ${Math.round(c.latencySumMs)}`,
      `sightline_delivery_latency_ms_count{destination="${d}"} ${c.latencyCount}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
