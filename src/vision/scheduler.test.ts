import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InferenceScheduler } from './scheduler.ts';

/** A model whose calls finish only when the test says so. */
function gatedModel() {
  const calls: { payloads: string[]; finish: () => void }[] = [];
  const runBatch = (payloads: readonly string[]) =>
    new Promise<string[]>((resolve) => calls.push({ payloads: [...payloads], finish: () => resolve(payloads.map((p) => `out:${p}`)) }));
  return { calls, run: (p: string) => runBatch([p]).then((r) => r[0]!), runBatch };
}
const tick = () => new Promise((r) => setImmediate(r));

test('newest frame wins: a waiting job replaced by a newer one resolves as dropped and is counted', async () => {
  const m = gatedModel();
  const s = new InferenceScheduler<string, string>({ run: m.run });
  const first = s.submit('a', 'a1');
  await tick(); // a1 is running
  const second = s.submit('a', 'a2');
  const third = s.submit('a', 'a3'); // replaces a2 while the model is busy
  assert.deepEqual(await second, { dropped: true });
  m.calls[0]!.finish();
  assert.deepEqual(await first, { dropped: false, result: 'out:a1' });
  await tick();
  assert.deepEqual(m.calls.map((c) => c.payloads), [['a1'], ['a3']]);
  m.calls[1]!.finish();
  assert.deepEqual(await third, { dropped: false, result: 'out:a3' });
  assert.deepEqual(s.stats().get('a'), { submitted: 3, completed: 2, dropped: 1, failed: 0 });
});

test('round-robin: a camera submitting every frame does not starve the others', async () => {
  const order: string[] = [];
  const s = new InferenceScheduler<string, string>({ run: async (p) => (order.push(p), p) });
  const jobs: Promise<unknown>[] = [];
  // a floods, b and c submit once each, all before the model gets a turn.
  for (const p of ['a1', 'b1', 'c1']) jobs.push(s.submit(p[0]!, p));
  await Promise.all(jobs);
  for (let i = 2; i < 6; i++) {
    jobs.push(s.submit('a', `a${i}`));
    if (i === 3) jobs.push(s.submit('b', 'b2'), s.submit('c', 'c2'));
    await tick();
  }
  await Promise.all(jobs);
  assert.deepEqual(order.slice(0, 3), ['a1', 'b1', 'c1']);
  // b2 and c2 were served right after the a job that was running when they arrived, not after all of a's frames.
  assert.ok(order.indexOf('b2') < order.indexOf('a5') && order.indexOf('c2') < order.indexOf('a5'), order.join(' '));
});

test('batching: waiting jobs of different cameras go in one call, up to maxBatch', async () => {
  const m = gatedModel();
  const s = new InferenceScheduler<string, string>({ runBatch: m.runBatch, maxBatch: 3 });
  const jobs = ['a', 'b', 'c', 'd'].map((id) => s.submit(id, `${id}1`));
  await tick();
  assert.deepEqual(m.calls.map((c) => c.payloads), [['a1', 'b1', 'c1']]);
  m.calls[0]!.finish();
  await tick();
  assert.deepEqual(m.calls[1]!.payloads, ['d1']);
  m.calls[1]!.finish();
  assert.deepEqual((await Promise.all(jobs)).map((o) => (o.dropped ? null : o.result)), ['out:a1', 'out:b1', 'out:c1', 'out:d1']);
});

test('a failing call rejects only its own jobs; the scheduler keeps serving; close rejects what waits', async () => {
  let fail = true;
  const s = new InferenceScheduler<string, string>({
    run: async (p) => {
      if (fail) {
        fail = false;
        throw new Error('model exploded');
      }
      return p;
    },
  });
  await assert.rejects(s.submit('a', 'a1'), /model exploded/);
  assert.deepEqual(await s.submit('b', 'b1'), { dropped: false, result: 'b1' });
  assert.equal(s.stats().get('a')!.failed, 1);
  const waiting = s.submit('c', 'c1');
  s.close();
  await assert.rejects(waiting, /closed/);
  await assert.rejects(s.submit('a', 'a2'), /closed/);
  assert.throws(() => new InferenceScheduler({ runBatch: async () => [], maxBatch: 0 }), /maxBatch must be an integer >= 1, got 0/);
});

test('concurrency 2: two cameras\' jobs are in flight together, never more', async () => {
  const m = gatedModel();
  let inFlight = 0;
  let most = 0;
  const s = new InferenceScheduler<string, string>({
    run: async (p) => {
      inFlight++;
      most = Math.max(most, inFlight);
      try {
        return await m.run(p);
      } finally {
        inFlight--;
      }
    },
    concurrency: 2,
  });
  const jobs = ['a', 'b', 'c'].map((id) => s.submit(id, `${id}1`));
  await tick();
  assert.deepEqual(m.calls.map((c) => c.payloads), [['a1'], ['b1']]);
  m.calls[0]!.finish();
  await tick();
  assert.deepEqual(m.calls[2]!.payloads, ['c1']);
  m.calls[1]!.finish();
  m.calls[2]!.finish();
  await Promise.all(jobs);
  assert.equal(most, 2);
  assert.throws(() => new InferenceScheduler({ run: async () => 1, concurrency: 0 }), /concurrency must be an integer >= 1, got 0/);
});

test('background work runs in order, never dropped, and only while no camera job waits', async () => {
  const m = gatedModel();
  const s = new InferenceScheduler<string, string>({ run: (p) => m.run(p) });
  const first = s.submit('cam', 'c1');
  const bg = [s.submitBackground('job:1', 'b1'), s.submitBackground('job:1', 'b2')];
  await tick();
  assert.deepEqual(m.calls.map((c) => c.payloads), [['c1']]);
  const second = s.submit('cam', 'c2'); // arrives while c1 runs: it goes before the waiting background jobs
  m.calls[0]!.finish();
  await tick();
  assert.deepEqual(m.calls.map((c) => c.payloads), [['c1'], ['c2']]);
  m.calls[1]!.finish();
  await tick();
  assert.deepEqual(m.calls[2]!.payloads, ['b1']);
  m.calls[2]!.finish();
  await tick();
  assert.deepEqual(m.calls[3]!.payloads, ['b2']);
  m.calls[3]!.finish();
  await Promise.all([first, second]);
  assert.deepEqual(await Promise.all(bg), ['out:b1', 'out:b2']);
  assert.deepEqual(s.stats().get('job:1'), { submitted: 2, completed: 2, dropped: 0, failed: 0 });
});

test('background work runs one at a time, leaving the second slot to cameras, and never beside a camera job', async () => {
  const m = gatedModel();
  const s = new InferenceScheduler<string, string>({ run: (p) => m.run(p), concurrency: 2 });
  const bg = [s.submitBackground('infer', 'b1'), s.submitBackground('infer', 'b2')];
  await tick();
  assert.deepEqual(m.calls.map((c) => c.payloads), [['b1']], 'one background job in flight, not two');
  const cam = s.submit('cam', 'c1');
  await tick();
  assert.deepEqual(m.calls.map((c) => c.payloads), [['b1'], ['c1']], 'the camera takes the free slot at once');
  m.calls[0]!.finish();
  await tick();
  assert.equal(m.calls.length, 2, 'b2 waits while the camera job runs: a camera frame shares the model with one background job at most');
  m.calls[1]!.finish();
  await tick();
  assert.deepEqual(m.calls[2]!.payloads, ['b2']);
  m.calls[2]!.finish();
  assert.deepEqual(await Promise.all(bg), ['out:b1', 'out:b2']);
  assert.deepEqual(await cam, { dropped: false, result: 'out:c1' });
});
