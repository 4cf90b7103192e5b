/**
 * Test support, run as a child process: the delivery stack on a file-backed PGlite.
 *   burst DATA_DIR URL SECRET COUNT  writes COUNT events (point events, and every tenth with start, update and end),
 *                                    printing "wrote N" after each stored event, then keeps delivering
 *   drain DATA_DIR URL SECRET        delivers what is waiting; when nothing waits, prints the id of every stored
 *                                    version as JSON ("stored [...]") and exits
 */
import { queueOf, startDeliveryStack, testEvent } from './delivery-stack.ts';
import { sleep } from './wait.ts';

const [mode, dataDir, url, secret, countText] = process.argv.slice(2);
const stack = await startDeliveryStack({
  dataDir, owner: 'child-node', pollSeconds: 0.1,
  destinations: [{ type: 'webhook', id: 'hook', url, secret, timeoutSeconds: 5, retry: { baseSeconds: 0.2, capSeconds: 1 } }],
});
if (mode === 'burst') {
  for (let i = 1; i <= Number(countText); i++) {
    if (i % 10 === 0) {
      const e = await stack.write('start', testEvent());
      await stack.write('update', { ...e, severity: 'critical' });
      await stack.write('end', { ...e, endMs: e.startMs + 1000, endReason: 'left' });
    } else {
      await stack.write('instant', testEvent({ type: 'line', ruleId: 'door', attributes: { lineId: 'door', direction: 'in', countIn: i, countOut: 0 } }));
    }
    process.stdout.write(`wrote ${i}\n`);
    // A burst as cameras make one: many events a second, with the event loop free between them.
    if (i % 5 === 0) await sleep(2);
  }
  await new Promise(() => undefined);
} else {
  for (;;) {
    if ((await queueOf(stack.outbox, 'hook')).waiting === 0) break;
    await sleep(200);
  }
  const rows = await stack.db.query<{ id: string; version: number }>('SELECT id, version FROM events');
  const ids = rows.flatMap((r) => Array.from({ length: r.version }, (_, k) => `msg_${r.id}_${k + 1}`));
  process.stdout.write(`stored ${JSON.stringify(ids)}\n`);
  await stack.stop();
}
