import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../store/open-database.ts';
import { SqlJobStore } from '../store/job-repository.ts';
import { JobRunner, jobProgress, type JobExecution } from './job-runner.ts';
import type { JobRecord, JobSpec } from './job-store.ts';

const spec: JobSpec = { source: { kind: 'url', url: 'http://cams/a.mp4' }, model: null, camera: null, rules: null, fps: null, annotate: false };
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const until = async (what: string, fn: () => Promise<boolean> | boolean) => {
  for (let i = 0; i < 400; i++) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
};

test('progress: percent, rate and time left from frames over elapsed time', () => {
  assert.deepEqual(jobProgress(50, 200, 10_000), { frames: 50, totalFrames: 200, percent: 25, framesPerSecond: 5, etaMs: 30_000 });
  assert.deepEqual(jobProgress(10, null, 1000), { frames: 10, totalFrames: null, percent: null, framesPerSecond: 10, etaMs: null });
  assert.deepEqual(jobProgress(0, 100, 0), { frames: 0, totalFrames: 100, percent: 0, framesPerSecond: 0, etaMs: null });
});

test('the runner runs jobs in order, writes progress, records results and failures, stops on cancel, and gives up after the attempts', async () => {
  const db = await openDatabase({});
  const store = new SqlJobStore(db);
  const updates: JobRecord[] = [];
  const gates = new Map<string, () => void>();
  const execute: JobExecution = (job, onProgress, signal) => new Promise((resolve, reject) => {
    onProgress(5, 10);
    signal.addEventListener('abort', () => reject(new Error('stopped')));
    gates.set(job.id, () => (job.spec.source.kind === 'url' && job.spec.source.url.endsWith('bad.mp4') ? reject(new Error('cannot open bad.mp4')) : resolve({ framesAnalyzed: 10, events: 1, tracks: 2, elapsedMs: 5, files: [] })));
  });
  const runner = new JobRunner({ store, execute, owner: 'n1', now: Date.now, log: quiet, onUpdate: (j) => void updates.push(j), heartbeatMs: 20, pollMs: 50 });
  try {
    const a = await store.create({ id: '00000000-0000-4000-8000-000000000001', createdMs: 1, actor: 't', spec });
    const b = await store.create({ id: '00000000-0000-4000-8000-000000000002', createdMs: 2, actor: 't', spec: { ...spec, source: { kind: 'url', url: 'http://cams/bad.mp4' } } });
    const c = await store.create({ id: '00000000-0000-4000-8000-000000000003', createdMs: 3, actor: 't', spec });
    await runner.start();
    await until('a running', () => gates.has(a.id));
    await until('progress written', async () => (await store.get(a.id))?.progress?.percent === 50);
    assert.equal(gates.has(b.id), false, 'one job at a time');
    gates.get(a.id)!();
    await until('b running', () => gates.has(b.id));
    assert.equal((await store.get(a.id))!.status, 'done');
    assert.deepEqual((await store.get(a.id))!.result, { framesAnalyzed: 10, events: 1, tracks: 2, elapsedMs: 5, files: [] });
    gates.get(b.id)!();
    await until('c running', () => gates.has(c.id));
    assert.deepEqual([(await store.get(b.id))!.status, (await store.get(b.id))!.error], ['failed', 'cannot open bad.mp4']);
    await store.cancel(c.id, Date.now());
    await until('c cancelled', async () => (await store.get(c.id))!.status === 'cancelled');
    assert.ok(updates.some((u) => u.id === a.id && u.progress?.frames === 5), 'progress pushed');
    // A job that the server died during, three times: given up.
    const d = await store.create({ id: '00000000-0000-4000-8000-000000000004', createdMs: 4, actor: 't', spec });
    await db.query(`UPDATE jobs SET attempts = 3 WHERE id = $1`, [d.id]);
    runner.wake();
    await until('d failed', async () => (await store.get(d.id))!.status === 'failed');
    assert.match((await store.get(d.id))!.error!, /gave up after 3 attempts/);
  } finally {
    await runner.stop();
    await db.close();
  }
});
