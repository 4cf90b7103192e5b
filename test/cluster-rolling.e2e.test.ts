// Two API nodes and two workers on real PostgreSQL and redis-server, 4 RTSP cameras and a webhook: a batch job
// uploaded to one API node runs on a worker and is served by the other; live video is relayed from the worker; a
// change made on API node B reaches the owning worker within a second; then every node is restarted one at a time (SIGTERM, start
// again), and afterwards every camera is online, no event is left open, and every delivery arrived exactly once, never
// under two webhook-ids.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import WebSocket from 'ws';
import { rtspClip, startRtspServer, type RtspServer } from '../src/bench/rtsp-server.ts';
import { Fmp4Splitter } from '../src/media/fmp4.ts';
import { ASSETS, asset } from './support/assets.ts';
import { logTime, startClusterNode, stopClusterNode, type ClusterNodeProcess } from '../src/bench/cluster-node.ts';
import { assertDeliveredOnce, redisOrSkip } from './support/cluster.ts';
import { postgresUrlForTests } from './support/postgres.ts';
import { startRedis, type RedisServer } from '../src/bench/redis-server.ts';
import { waitFor } from './support/wait.ts';
import { WebhookReceiver } from './support/webhook-receiver.ts';

const CAMERAS = ['c1', 'c2', 'c3', 'c4'];

/** Resolves once a WebSocket client of `url` has seen tracks of every camera. */
async function tracksOfAll(url: string, timeoutMs: number): Promise<void> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/api/ws?types=tracks`);
  const seen = new Set<string>();
  const end = performance.now() + timeoutMs;
  ws.on('message', (d: Buffer) => {
    const m = JSON.parse(d.toString()) as { cameraId?: string };
    if (m.cameraId) seen.add(m.cameraId);
  });
  try {
    await waitFor(`tracks of every camera on ${url}`, () => CAMERAS.every((c) => seen.has(c)) || (performance.now() > end && assert.fail(`tracks on ${url} of ${[...seen].sort().join(', ') || 'no camera'} only, not of every one of ${CAMERAS.join(', ')}`)), timeoutMs + 1000, 100);
  } finally {
    ws.close();
  }
}

test('two API nodes, two workers: a change on either API node reaches the worker within a second; a rolling restart loses no event and no delivery', { timeout: 600_000 }, async (t) => {
  if (!redisOrSkip(t)) return;
  const dbUrl = await postgresUrlForTests(t);
  if (!dbUrl) return;
  const dir = mkdtempSync(join(tmpdir(), 'sightline-rolling-'));
  const nodes = new Map<string, ClusterNodeProcess>();
  let redis: RedisServer | undefined;
  let rtsp: RtspServer | undefined;
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const receiver = new WebhookReceiver(secret);
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  try {
    await receiver.start();
    redis = await startRedis();
    const clip = await rtspClip(asset('videos/vtest.avi'), 10, 360);
    rtsp = await startRtspServer(Object.fromEntries(CAMERAS.map((c) => [c, clip])), { fps: 10 });
    const config = join(dir, 'config.yml');
    writeFileSync(config, [
      'server: { port: 0, publicUrl: "http://127.0.0.1:9" }', 'auth: { enabled: false }', `assets: ${JSON.stringify(ASSETS)}`,
      'models: { download: false, threads: 1 }', `database: { url: ${JSON.stringify(dbUrl)} }`, `cluster: { redisUrl: ${JSON.stringify(redis.url)} }`,
      'delivery:', '  destinations:', `    - { type: webhook, id: hook, url: ${JSON.stringify(receiver.url)}, secret: ${JSON.stringify(secret)}, filter: { versions: [start, end] } }`,
      'cameras:',
      // c4 has live video, relayed by the API nodes from its worker.
      ...CAMERAS.map((c) => `  - { id: ${c}, source: { url: ${JSON.stringify(rtsp!.url(c))} }, detect: { fps: 2 }, record: { mode: "off" }, live: { enabled: ${c === 'c4'} } }`),
      '',
    ].join('\n'));
    const start = async (id: string, role: 'api' | 'worker') => {
      // One data folder for every node, as compose.yaml shares its media and jobs volumes: an API node serves the
      // snapshots the workers write (each node's id comes from the environment, not from the folder).
      const n = await startClusterNode(id, role, config, dir, { SIGHTLINE_DATA_DIR: join(dir, 'shared') }, nodes.get(id)?.lines ?? []);
      nodes.set(id, n);
      return n;
    };
    await start('a1', 'api');
    await start('a2', 'api');
    await Promise.all([start('w1', 'worker'), start('w2', 'worker')]);
    const clusterOf = async (n: string) => (await (await fetch(`${nodes.get(n)!.url}/api/cluster`)).json()) as { nodes: { id: string }[]; assignments: { cameraId: string; node: string | null }[] };
    await waitFor('2 cameras on each worker', async () => {
      const c = await clusterOf('a1');
      return ['w1', 'w2'].every((w) => c.assignments.filter((a) => a.node === w).length === 2);
    }, 90_000, 250);
    await tracksOfAll(nodes.get('a1')!.url, 60_000);

    // Live video of c4 on API node a1, relayed from its worker: each fragment arrives in the same bytes, and at most
    // 150 ms (p95) after it leaves the worker (both read here at once: the worker's internal stream and a1's WebSocket).
    {
      const view = await (await fetch(`${nodes.get('a1')!.url}/api/cluster`)).json() as { nodes: { id: string; cameras: string[] }[] };
      const ownerId = view.nodes.find((n) => n.cameras.includes('c4'))!.id;
      const workerUrl = /"url":"(http:[^"]+)".*internal HTTP/.exec(nodes.get(ownerId)!.lines.join('\n'))![1]!;
      const health = await (await fetch(`${workerUrl}/api/health`)).json() as { ok: boolean; node: string };
      assert.deepEqual([health.ok, health.node], [true, ownerId]);
      const metrics = await (await fetch(`${workerUrl}/metrics`)).text();
      assert.match(metrics, /sightline_camera_frames_decoded_total\{camera="c4"\}/, 'the worker\'s /metrics covers its cameras');
      assert.equal((await fetch(`${workerUrl}/internal/cameras/c4/live.mp4`)).status, 401, 'the internal stream needs the cluster secret');
      const secret = (await db.query(`SELECT value FROM cluster_settings WHERE key = 'internal_secret'`)).rows[0].value as string;
      const direct = new Map<string, number>();
      const viaApi = new Map<string, number>();
      const hash = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');
      const abort = new AbortController();
      const splitter = new Fmp4Splitter();
      const reading = (async () => {
        const res = await fetch(`${workerUrl}/internal/cameras/c4/live.mp4`, { headers: { authorization: `Bearer ${secret}` }, signal: abort.signal });
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          const at = performance.now();
          for (const part of splitter.push(Buffer.from(chunk))) if (part.kind === 'fragment') direct.set(hash(part.data), at);
        }
      })().catch(() => undefined);
      const live = new WebSocket(`${nodes.get('a1')!.url.replace('http', 'ws')}/api/cameras/c4/live`);
      live.on('message', (d: Buffer, binary: boolean) => {
        if (binary) viaApi.set(hash(d), performance.now());
      });
      try {
        await waitFor('100 fragments of c4 through API node a1', () => [...viaApi.keys()].filter((k) => direct.has(k)).length >= 100, 60_000, 100);
      } finally {
        live.close();
        abort.abort();
        await reading;
      }
      const delays = [...viaApi].filter(([k]) => direct.has(k)).map(([k, at]) => at - direct.get(k)!).sort((a, b) => a - b);
      const p95 = delays[Math.floor(delays.length * 0.95)]!;
      t.diagnostic(`live video through API node a1: ${delays.length} fragments, added latency p50 ${delays[Math.floor(delays.length / 2)]!.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`);
      assert.ok(p95 < 150, `added latency p95 ${p95.toFixed(1)} ms (at most 150)`);
    }

    // A batch job uploaded to API node a1 is run by a worker (the queue's leases), and its result is served by a2.
    {
      const jobMessages: string[] = [];
      const jobWs = new WebSocket(`${nodes.get('a2')!.url.replace('http', 'ws')}/api/ws?types=job`);
      jobWs.on('message', (d: Buffer) => jobMessages.push(d.toString()));
      await new Promise((resolve, reject) => jobWs.once('open', resolve).once('error', reject));
      const up = await fetch(`${nodes.get('a1')!.url}/api/jobs/upload?fps=2&name=vtest.avi`, { method: 'POST', headers: { 'content-type': 'video/x-msvideo' }, body: readFileSync(asset('videos/vtest.avi')) });
      assert.equal(up.status, 201, await up.clone().text());
      const job = (await up.json()) as { id: string };
      const done = await waitFor('the job done', async () => {
        const j = (await (await fetch(`${nodes.get('a2')!.url}/api/jobs/${job.id}`)).json()) as { status: string; error: string | null; leaseOwner?: string | null };
        assert.notEqual(j.status, 'failed', j.error ?? '');
        return j.status === 'done' ? j : false;
      }, 180_000, 250);
      assert.ok(done);
      const tracks = await (await fetch(`${nodes.get('a2')!.url}/api/jobs/${job.id}/tracks.txt`)).text();
      assert.ok(tracks.split('\n').length > 100, `the job's tracks, served by a2 (${tracks.length} bytes)`);
      assert.ok(jobMessages.some((m) => m.includes(job.id) && m.includes('"progress"')), 'the worker\'s progress reached a2\'s WebSocket through Redis');
      jobWs.close();
    }

    // A change made on API node a2 reaches the worker that runs the camera within a second.
    const owner = (await clusterOf('a2')).assignments.find((a) => a.cameraId === 'c1')!.node!;
    const sentMs = Date.now();
    const res = await fetch(`${nodes.get('a2')!.url}/api/cameras/c1`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ enabled: false }) });
    assert.equal(res.status, 200, await res.text());
    const stoppedAt: number = await waitFor('the owning worker stops c1', () => logTime(nodes.get(owner)!.lines, /"camera":"c1".*"msg":"camera stopped"/, sentMs) ?? false, 10_000, 50);
    t.diagnostic(`a change on API node a2 took effect on ${owner} after ${stoppedAt - sentMs} ms`);
    assert.ok(stoppedAt - sentMs <= 1000, `c1 stopped on ${owner} ${stoppedAt - sentMs} ms after the change (at most 1 s)`);
    const back = await fetch(`${nodes.get('a1')!.url}/api/cameras/c1`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ enabled: true }) });
    assert.equal(back.status, 200, await back.text());
    await tracksOfAll(nodes.get('a2')!.url, 60_000);

    // Rolling restart, one node at a time; each back before the next goes.
    for (const [id, role] of [['a1', 'api'], ['w1', 'worker'], ['a2', 'api'], ['w2', 'worker']] as const) {
      await stopClusterNode(nodes.get(id));
      await start(id, role);
      await waitFor(`every camera assigned after ${id} restarted`, async () => {
        const c = await clusterOf(id === 'a1' ? 'a2' : 'a1');
        return c.assignments.every((a) => a.node !== null) && c.nodes.some((n) => n.id === id);
      }, 60_000, 250);
    }
    for (const api of ['a1', 'a2']) await tracksOfAll(nodes.get(api)!.url, 60_000);
    await waitFor('both workers running cameras again', async () => {
      const c = await clusterOf('a1');
      return ['w1', 'w2'].every((w) => c.assignments.some((a) => a.node === w));
    }, 30_000, 250);

    // No event lost: none is left open except by a camera running now, recently seen; every delivery went out once.
    const stale = (await db.query(`SELECT id, camera_id, last_seen_ms FROM events WHERE end_ms IS NULL AND last_seen_ms < $1`, [Date.now() - 30_000])).rows;
    assert.deepEqual(stale, [], 'no event left open');
    await assertDeliveredOnce(db, receiver, 60_000);
    assert.deepEqual(receiver.badSignatures, []);
    // A snapshot link a worker signed opens on an API node (the signing key is shared through the database).
    const withSnapshot = receiver.requests.find((r) => typeof r.body.data.snapshotUrl === 'string');
    assert.ok(withSnapshot, 'a delivered event carries a snapshot link');
    const link = new URL(withSnapshot.body.data.snapshotUrl as string);
    const snap = await fetch(`${nodes.get('a2')!.url}${link.pathname}${link.search}`);
    assert.equal(snap.status, 200, `the worker's signed link on API node a2: ${await snap.clone().text().catch(() => '')}`);
    assert.equal(snap.headers.get('content-type'), 'image/jpeg');
    const forged = new URL(link);
    forged.searchParams.set('sig', 'x'.repeat(Math.max(8, forged.searchParams.get('sig')?.length ?? 8)));
    assert.equal((await fetch(`${nodes.get('a2')!.url}${forged.pathname}${forged.search}`)).status, 403, 'a forged signature is refused');
  } finally {
    // CLUSTER_TEST_LOGS=DIR keeps every node's log for a look afterwards.
    const keep = process.env['CLUSTER_TEST_LOGS'];
    if (keep) for (const n of nodes.values()) writeFileSync(join(keep, `rolling-${n.id}.log`), n.lines.join('\n'));
    await Promise.all([...nodes.values()].map((n) => stopClusterNode(n)));
    await db.end();
    await receiver.refuse();
    await redis?.close();
    await rtsp?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
