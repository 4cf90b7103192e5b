// A cluster on loopback, every part real: PostgreSQL, redis-server, the RTSP test server with 9 cameras, a webhook
// receiver, two API nodes and three workers as processes started with the containers' own command (`bin/sightline.mjs serve --role ...`). Checks: the
// cameras spread 3/3/3 and a WebSocket client of the API node sees tracks of every camera; a SIGKILLed worker's
// cameras are online on the others within 15 s and their events go on; with Redis stopped for 20 s events are still
// stored and live messages come back after it; a worker cut off from PostgreSQL (a proxy that drops its connections)
// stops its cameras before its leases run out, and only then does another worker take them; the lease history shows
// no camera ever held by two workers at once, and the RTSP server never served one stream to two nodes at once;
// every delivery arrived once, under one webhook-id.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import WebSocket from 'ws';
import pg from 'pg';
import { rtspClip, startRtspServer, type RtspServer } from '../src/bench/rtsp-server.ts';
import { ASSETS, asset } from './support/assets.ts';
import { assertDeliveredOnce, redisOrSkip } from './support/cluster.ts';
import { postgresUrlForTests } from './support/postgres.ts';
import { startRedis, type RedisServer } from '../src/bench/redis-server.ts';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts';
import { sleep, waitFor } from './support/wait.ts';
import { WebhookReceiver } from './support/webhook-receiver.ts';
import { logTime, startClusterNode, stopClusterNode, type ClusterNodeProcess } from '../src/bench/cluster-node.ts';

const CAMERAS = Array.from({ length: 9 }, (_, i) => `c${i + 1}`);
/** The default cluster.leaseMs: the test runs the defaults a user gets. */
const LEASE_MS = 6000;

type Node = ClusterNodeProcess;
const startNode = startClusterNode;
const stopNode = stopClusterNode;

interface ClusterJson {
  nodes: { id: string; role: string; cameras: string[] }[];
  assignments: { cameraId: string; node: string | null; epoch: number | null }[];
  redis: { connected: boolean } | null;
}

test('a cluster of two API nodes and three workers: spread, failover, Redis away, a worker cut off from PostgreSQL, deliveries once', { timeout: 600_000 }, async (t) => {
  if (!redisOrSkip(t)) return;
  const dbUrl = await postgresUrlForTests(t);
  if (!dbUrl) return;
  const dir = mkdtempSync(join(tmpdir(), 'sightline-cluster-'));
  const nodes: Node[] = [];
  let redis: RedisServer | undefined;
  let rtsp: RtspServer | undefined;
  let proxy: TcpProxy | undefined;
  let ws: WebSocket | undefined;
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const receiver = new WebhookReceiver(secret);
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  try {
    await receiver.start();
    redis = await startRedis();
    const clip = await rtspClip(asset('videos/vtest.avi'), 10, 360);
    rtsp = await startRtspServer(Object.fromEntries(CAMERAS.map((c) => [c, clip])), { fps: 10 });
    const pgUrl = new URL(dbUrl);
    proxy = await startTcpProxy(pgUrl.hostname, Number(pgUrl.port || 5432));
    const viaProxy = new URL(dbUrl);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const config = join(dir, 'config.yml');
    writeFileSync(config, [
      'server: { port: 0 }',
      'auth: { enabled: false }',
      `assets: ${JSON.stringify(ASSETS)}`,
      'models: { download: false, threads: 1 }',
      `database: { url: ${JSON.stringify(dbUrl)} }`,
      `cluster: { redisUrl: ${JSON.stringify(redis.url)} }`,
      'log: { level: info }',
      'delivery:', '  destinations:', `    - { type: webhook, id: hook, url: ${JSON.stringify(receiver.url)}, secret: ${JSON.stringify(secret)}, filter: { versions: [start, end] } }`,
      'cameras:',
      ...CAMERAS.map((c) => `  - { id: ${c}, source: { url: ${JSON.stringify(rtsp!.url(c))} }, detect: { fps: 2 }, record: { mode: "off" }, live: { enabled: false } }`),
      '',
    ].join('\n'));

    const api = await startNode('api', 'api', config, dir);
    nodes.push(api);
    // A second API node: it sees the same cluster.
    nodes.push(await startNode('api2', 'api', config, dir));
    const workers = await Promise.all([
      startNode('w1', 'worker', config, dir),
      startNode('w2', 'worker', config, dir),
      // w3 reaches PostgreSQL through the proxy, so that it alone can be cut off.
      startNode('w3', 'worker', config, dir, { SIGHTLINE_DATABASE__URL: viaProxy.toString() }),
    ]);
    nodes.push(...workers);
    const [w1, w2, w3] = workers as [Node, Node, Node];
    const cluster = async () => (await (await fetch(`${api.url}/api/cluster`)).json()) as ClusterJson;

    // Tracks of every camera reach a WebSocket client of the API node.
    const lastTracks = new Map<string, number>();
    const eventsSeen: { cameraId: string; at: number }[] = [];
    ws = new WebSocket(`${api.url.replace('http', 'ws')}/api/ws?types=tracks,event`);
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString()) as { type: string; cameraId?: string; event?: { cameraId: string } };
      if (m.type === 'tracks' && m.cameraId) lastTracks.set(m.cameraId, performance.now());
      if (m.type === 'event' && m.event) eventsSeen.push({ cameraId: m.event.cameraId, at: performance.now() });
    });
    await new Promise((resolve, reject) => ws!.once('open', resolve).once('error', reject));

    const spread = await waitFor('the 9 cameras spread 3/3/3 over the workers', async () => {
      const c = await cluster();
      const per = ['w1', 'w2', 'w3'].map((w) => c.assignments.filter((a) => a.node === w).length);
      return per.every((n) => n === 3) ? c : false;
    }, 90_000, 250);
    const fromWS = performance.now();
    await waitFor('tracks of every camera on the API node\'s WebSocket', () => CAMERAS.every((c) => (lastTracks.get(c) ?? 0) > fromWS), 60_000, 100);

    // SIGKILL w1: its cameras are online on the others within 15 s, and their events go on.
    const w1Cams = spread.assignments.filter((a) => a.node === 'w1').map((a) => a.cameraId);
    w1.child.kill('SIGKILL');
    const killedAt = performance.now();
    const killedWallMs = Date.now();
    await waitFor('w1\'s cameras online on other workers', async () => {
      const c = await cluster();
      const cams = (await (await fetch(`${api.url}/api/cameras`)).json()) as { id: string; state: string }[] | { cameras: { id: string; state: string }[] };
      const list = Array.isArray(cams) ? cams : cams.cameras;
      return w1Cams.every((id) => {
        const a = c.assignments.find((x) => x.cameraId === id);
        return a && a.node !== null && a.node !== 'w1' && list.find((x) => x.id === id)?.state === 'online' && (lastTracks.get(id) ?? 0) > killedAt;
      });
    }, 30_000, 100);
    const failoverMs = performance.now() - killedAt;
    assert.ok(failoverMs <= 15_000, `w1's cameras were back after ${Math.round(failoverMs)} ms (at most 15 s)`);
    const retaken = (await db.query('SELECT max(acquired_ms)::bigint AS at FROM camera_lease_history WHERE camera_id = ANY($1) AND owner <> $2', [w1Cams, 'w1'])).rows[0].at;
    t.diagnostic(`failover after SIGKILL: ${Math.round(failoverMs)} ms in all, leases taken over after ${Number(retaken) - killedWallMs} ms (lease ${LEASE_MS} ms)`);
    const afterKill = performance.now();
    await waitFor('an event of each of w1\'s cameras after the take-over', () => w1Cams.every((id) => eventsSeen.some((e) => e.cameraId === id && e.at > afterKill)), 60_000, 200);

    // Redis away for 20 s: events are still stored; live messages come back after it.
    const stored = async () => Number((await db.query('SELECT count(*)::int AS n FROM events')).rows[0].n);
    const beforeOutage = await stored();
    await redis.stop();
    try {
      await sleep(20_000);
      const duringOutage = await stored();
      assert.ok(duringOutage > beforeOutage, `events stored while Redis was away (${beforeOutage} -> ${duringOutage})`);
    } finally {
      await redis.start();
    }
    const back = performance.now();
    await waitFor('tracks of every running camera after Redis came back', () => CAMERAS.every((c) => (lastTracks.get(c) ?? 0) > back), 30_000, 100);
    assert.equal((await cluster()).redis?.connected, true);

    // w3 cut off from PostgreSQL: it stops its cameras before its leases run out; w2 takes them only after that.
    const w3Cams = (await cluster()).assignments.filter((a) => a.node === 'w3').map((a) => a.cameraId);
    assert.ok(w3Cams.length > 0, 'w3 runs cameras');
    const cutMs = Date.now();
    proxy.cut();
    // When the last of w3's cameras had stopped (its log's wall clock; the database runs on the same machine).
    const stoppedMs = await waitFor('w3 stops every camera, cut off from the database', () => {
      const times = w3Cams.map((id) => logTime(w3.lines, new RegExp(`"camera":"${id}".*"msg":"camera stopped"`), cutMs));
      return times.every((x) => x !== null) ? Math.max(...(times as number[])) : false;
    }, LEASE_MS + 10_000, 100);
    assert.ok(w3.lines.some((l) => l.includes('leases not renewed in time')), 'w3 says why it stopped');
    await waitFor('w2 runs every camera', async () => (await cluster()).assignments.every((a) => a.node === 'w2'), 30_000, 250);
    const takeovers = (await db.query('SELECT camera_id, max(acquired_ms)::bigint AS at FROM camera_lease_history WHERE owner = $1 AND camera_id = ANY($2) GROUP BY camera_id', ['w2', w3Cams])).rows;
    for (const r of takeovers) assert.ok(Number(r.at) > stoppedMs, `${r.camera_id}: w2 took it at ${r.at}, after w3 had stopped it at ${stoppedMs}`);

    // Never two holders at once.
    const history = (await db.query('SELECT camera_id, epoch, owner, acquired_ms::bigint AS a, ended_ms::bigint AS e FROM camera_lease_history ORDER BY camera_id, epoch')).rows;
    for (const cam of CAMERAS) {
      const spans = history.filter((h) => h.camera_id === cam);
      for (let i = 1; i < spans.length; i++) {
        assert.ok(spans[i - 1].e !== null && Number(spans[i - 1].e) <= Number(spans[i].a), `${cam}: lease ${spans[i].epoch} (${spans[i].owner}) starts after lease ${spans[i - 1].epoch} (${spans[i - 1].owner}) ended`);
      }
    }
    // The RTSP server's own record of its clients: a stream was never played by two nodes at once (each node names
    // itself in its User-Agent), so a killed worker's ffmpeg did not outlive it and a cut-off one had let go.
    const events = rtsp.clients();
    assert.ok(events.some((e) => e.kind === 'play' && /^Sightline\/[\d.]+ \(w[123]\)$/.test(e.userAgent)), `the nodes name themselves: ${JSON.stringify(events.slice(0, 3))}`);
    for (const cam of CAMERAS) {
      const open = new Map<string, number>();
      for (const e of events.filter((x) => x.mount === cam)) {
        if (e.kind === 'play') {
          const others = [...open].filter(([ua, n]) => ua !== e.userAgent && n > 0).map(([ua]) => ua);
          assert.deepEqual(others, [], `${cam}: played by "${e.userAgent}" at ${e.atMs} while ${others.join(', ')} still had it open`);
          open.set(e.userAgent, (open.get(e.userAgent) ?? 0) + 1);
        } else open.set(e.userAgent, Math.max(0, (open.get(e.userAgent) ?? 0) - 1));
      }
    }
    assert.deepEqual(w2.lines.filter((l) => /LEASE_LOST|"level":50/.test(l)), [], 'no refused writes or errors on w2');
    const onA2 = (await (await fetch(`${nodes.find((n) => n.id === 'api2')!.url}/api/cluster`)).json()) as ClusterJson;
    assert.deepEqual(onA2.assignments.map((a) => a.node), CAMERAS.map(() => 'w2'), 'the second API node sees the same assignment');

    // Deliveries through the kill, the Redis outage and the cut: every one arrived, none under two webhook-ids.
    await assertDeliveredOnce(db, receiver, 90_000);
  } finally {
    // CLUSTER_TEST_LOGS=DIR keeps every node's log for a look afterwards.
    const keep = process.env['CLUSTER_TEST_LOGS'];
    if (keep) for (const n of nodes) writeFileSync(join(keep, `cluster-${n.id}.log`), n.lines.join('\n'));
    ws?.close();
    await receiver.refuse();
    proxy?.heal();
    await Promise.all(nodes.map((n) => stopNode(n)));
    await db.end();
    await proxy?.close();
    await redis?.close();
    await rtsp?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
