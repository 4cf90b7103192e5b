// What the cluster tests share: redis-server or a clear skip (a failure in CI), and the check that every delivery
// arrived exactly once, never under two webhook-ids.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type pg from 'pg';
import { redisInstalled } from '../../src/bench/redis-server.ts';
import { waitFor } from './wait.ts';
import type { WebhookReceiver } from './webhook-receiver.ts';

/** True when redis-server is installed; otherwise skips the test with the reason (fails it under CI=true). */
export function redisOrSkip(t: TestContext): boolean {
  if (redisInstalled()) return true;
  if (process.env['CI'] === 'true') assert.fail('redis-server is not installed; npm test installs it');
  t.skip('redis-server is not installed (npm test installs it)');
  return false;
}

/** Waits until no delivery is pending, then checks that each arrived once and each event version under one webhook-id. */
export async function assertDeliveredOnce(db: pg.Client, receiver: WebhookReceiver, timeoutMs: number): Promise<void> {
  await waitFor('every delivery delivered', async () => Number((await db.query(`SELECT count(*)::int AS n FROM deliveries WHERE status <> 'delivered'`)).rows[0].n) === 0, timeoutMs, 250);
  const delivered = Number((await db.query('SELECT count(*)::int AS n FROM deliveries')).rows[0].n);
  assert.ok(delivered > 0, 'deliveries were made');
  assert.equal(new Set(receiver.accepted).size, delivered, `each of the ${delivered} deliveries arrived once`);
  const idsOf = new Map<string, Set<string>>();
  for (const r of receiver.requests) {
    const key = `${r.body.data.id} version ${r.body.version}`;
    idsOf.set(key, (idsOf.get(key) ?? new Set()).add(r.id));
  }
  for (const [key, ids] of idsOf) assert.equal(ids.size, 1, `${key} arrived under ${ids.size} webhook-ids`);
}
