/**
 * What a cluster costs, on this machine: the same still cameras (720p15 H.264 RTSP, motion-gated at detect 5 fps, so
 * decoding dominates) run by 1, 2 and 3 workers (plus one API node that takes every live message), every part real
 * (PostgreSQL, redis-server, the RTSP test server, the nodes started with the containers' command). For each worker
 * count, rounds interleaved, medians quoted:
 * - CPU per camera (% of one core): workers with their ffmpeg children, divided by the cameras;
 * - coordination: PostgreSQL's CPU (all its processes) and transactions per second, Redis's CPU and bytes in and out
 *   per second, each per camera; the API node's CPU;
 * - missed frames (replaced before detection) and the decode rate against the configured one.
 * The one-worker row is the baseline of the same run: more workers on the same cores show only the cost of the
 * coordination. From the per-camera figures it writes what a 60-camera site needs.
 *
 *   node --import tsx bench/cluster.ts [--cameras 8] [--seconds 30] [--rounds 2] [--workers 1,2,3] [--json OUT]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startClusterNode, stopClusterNode, type ClusterNodeProcess } from '../src/bench/cluster-node.ts';
import { formatMachine, machineInfo } from '../src/bench/machine.ts';
import { startRedis } from '../src/bench/redis-server.ts';
import { freePort, rtspClip, startRtspServer } from '../src/bench/rtsp-server.ts';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const CAMERAS = Number(arg('cameras', '8'));
const SECONDS = Number(arg('seconds', '30'));
const ROUNDS = Number(arg('rounds', '2'));
const WORKERS = arg('workers', '1,2,3').split(',').map(Number);
const JSON_OUT = process.argv.includes('--json') ? arg('json', '') : '';
const ASSETS = process.env['SIGHTLINE_ASSETS'] ?? '../shared/assets';
const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** utime + stime of a process (ticks), 0 when gone. */
function ticks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

/** A process and its descendants. */
function tree(pid: number): number[] {
  let kids: number[] = [];
  try {
    kids = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    // none
  }
  return [pid, ...kids.flatMap(tree)];
}

const cpuOf = (pids: number[]) => pids.reduce((n, p) => n + ticks(p), 0);

function redisStats(port: number): { inBytes: number; outBytes: number } {
  const text = execFileSync('redis-cli', ['-p', String(port), 'info', 'stats'], { encoding: 'utf8' });
  const num = (k: string) => Number(new RegExp(`${k}:(\\d+)`).exec(text)?.[1] ?? 0);
  return { inBytes: num('total_net_input_bytes'), outBytes: num('total_net_output_bytes') };
}

interface Row {
  workers: number;
  cameras: number;
  cpuPerCameraPct: number;
  apiCpuPct: number;
  pgCpuPerCameraPct: number;
  pgXactPerCameraPerS: number;
  redisCpuPerCameraPct: number;
  redisBytesPerCameraPerS: number;
  missedPct: number;
  decodeFpsPerCamera: number;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-bench-cluster-'));
  // The PostgreSQL folder directly under /tmp: run as root, the server runs as the postgres user, who cannot enter
  // the private temp folder.
  const pgDir = `${dir}-pg`;
  const pgPort = await freePort();
  const pgUrl = execFileSync('bash', ['scripts/pg-test-server.sh', 'start', pgDir, String(pgPort)], { encoding: 'utf8' }).trim().split('\n').at(-1)!;
  const redis = await startRedis();
  const clip = await rtspClip(join(ASSETS, 'videos/people-walking-street-720p.mp4'), 15, 720, { still: true });
  const ids = Array.from({ length: CAMERAS }, (_, i) => `c${i + 1}`);
  const rtsp = await startRtspServer(Object.fromEntries(ids.map((c) => [c, clip])), { fps: 15 });
  const rows: Row[] = [];
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const w of WORKERS) {
        const db = `bench_cluster_${round}_${w}`;
        await admin.query(`DROP DATABASE IF EXISTS ${db}`);
        await admin.query(`CREATE DATABASE ${db}`);
        const url = new URL(pgUrl);
        url.pathname = `/${db}`;
        const config = join(dir, `config-${db}.yml`);
        writeFileSync(config, [
          'server: { port: 0 }', 'auth: { enabled: false }', `assets: ${JSON.stringify(ASSETS)}`, 'models: { download: false }',
          `database: { url: ${JSON.stringify(url.toString())} }`, `cluster: { redisUrl: ${JSON.stringify(redis.url)} }`, 'log: { level: warn }',
          'cameras:', ...ids.map((c) => `  - { id: ${c}, source: { url: ${JSON.stringify(rtsp.url(c))} }, detect: { fps: 5 }, record: { mode: "off" } }`), '',
        ].join('\n'));
        const nodes: ClusterNodeProcess[] = [];
        try {
          // Logs at warn: the start lines the helper waits for are at info, so it is told by the env.
          const env = { SIGHTLINE_LOG__LEVEL: 'info' };
          nodes.push(await startClusterNode('api', 'api', config, join(dir, db), env));
          for (let i = 1; i <= w; i++) nodes.push(await startClusterNode(`w${i}`, 'worker', config, join(dir, db), env));
          const api = nodes[0]!;
          const cams = async () => ((await (await fetch(`${api.url}/api/cameras`)).json()) as { cameras: { id: string; state: string; framesDecoded: number; framesProcessed: number; framesReplaced: number }[] }).cameras;
          const end = performance.now() + 120_000;
          while ((await cams()).filter((c) => c.state === 'online').length < CAMERAS) {
            if (performance.now() > end) throw new Error(`not every camera online within 120 s with ${w} workers`);
            await sleep(500);
          }
          await sleep(10_000);
          const workerPids = () => nodes.slice(1).flatMap((n) => tree(n.child.pid!));
          const pgPids = () => tree(Number(readFileSync(join(pgDir, 'postmaster.pid'), 'utf8').split('\n')[0]));
          const xact = async () => Number((await admin.query(`SELECT sum(xact_commit + xact_rollback)::bigint AS n FROM pg_stat_database WHERE datname = $1`, [db])).rows[0].n);
          const c0 = await cams();
          const s0 = { t: performance.now(), workers: cpuOf(workerPids()), api: cpuOf(tree(api.child.pid!)), pg: cpuOf(pgPids()), redis: ticks(redis.pid!), x: await xact(), r: redisStats(redis.port) };
          await sleep(SECONDS * 1000);
          const c1 = await cams();
          const s1 = { t: performance.now(), workers: cpuOf(workerPids()), api: cpuOf(tree(api.child.pid!)), pg: cpuOf(pgPids()), redis: ticks(redis.pid!), x: await xact(), r: redisStats(redis.port) };
          const secs = (s1.t - s0.t) / 1000;
          const pct = (t: number) => (t / TICKS / secs) * 100;
          const sum = (k: 'framesDecoded' | 'framesReplaced', list: typeof c0) => list.reduce((n, c) => n + c[k], 0);
          const decoded = sum('framesDecoded', c1) - sum('framesDecoded', c0);
          const row: Row = {
            workers: w, cameras: CAMERAS,
            cpuPerCameraPct: pct(s1.workers - s0.workers) / CAMERAS,
            apiCpuPct: pct(s1.api - s0.api),
            pgCpuPerCameraPct: pct(s1.pg - s0.pg) / CAMERAS,
            pgXactPerCameraPerS: (s1.x - s0.x) / secs / CAMERAS,
            redisCpuPerCameraPct: pct(s1.redis - s0.redis) / CAMERAS,
            redisBytesPerCameraPerS: (s1.r.inBytes + s1.r.outBytes - s0.r.inBytes - s0.r.outBytes) / secs / CAMERAS,
            missedPct: decoded > 0 ? ((sum('framesReplaced', c1) - sum('framesReplaced', c0)) / decoded) * 100 : NaN,
            decodeFpsPerCamera: decoded / secs / CAMERAS,
          };
          rows.push(row);
          console.log(`round ${round + 1}, ${w} worker(s): ${row.cpuPerCameraPct.toFixed(2)} % of a core per camera, PostgreSQL ${row.pgCpuPerCameraPct.toFixed(3)} % and ${row.pgXactPerCameraPerS.toFixed(2)} transactions/s per camera, Redis ${row.redisCpuPerCameraPct.toFixed(3)} % and ${(row.redisBytesPerCameraPerS / 1024).toFixed(1)} KiB/s per camera, missed ${row.missedPct.toFixed(2)} %`);
        } finally {
          for (const n of nodes.reverse()) await stopClusterNode(n);
          await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => undefined);
        }
      }
    }
  } finally {
    await admin.end();
    await rtsp.stop();
    await redis.close();
    execFileSync('bash', ['scripts/pg-test-server.sh', 'stop', pgDir, String(pgPort)]);
    rmSync(dir, { recursive: true, force: true });
    rmSync(pgDir, { recursive: true, force: true });
  }

  const machine = machineInfo('cpu', 0);
  console.log(`\n${formatMachine(machine)}`);
  console.log(`${CAMERAS} still 720p15 RTSP cameras, detect 5 fps, motion-gated; ${SECONDS} s per run after 10 s warm-up; medians of ${ROUNDS} interleaved rounds\n`);
  console.log('| workers | CPU per camera (% core) | vs 1 worker | API node CPU (%) | PostgreSQL per camera (% core, tx/s) | Redis per camera (% core, KiB/s) | missed | decoded fps per camera |');
  console.log('|---|---|---|---|---|---|---|---|');
  const summary = WORKERS.map((w) => {
    const rs = rows.filter((r) => r.workers === w);
    const m = (k: keyof Row) => median(rs.map((r) => r[k]));
    return { workers: w, cpuPerCameraPct: m('cpuPerCameraPct'), apiCpuPct: m('apiCpuPct'), pgCpuPerCameraPct: m('pgCpuPerCameraPct'), pgXactPerCameraPerS: m('pgXactPerCameraPerS'), redisCpuPerCameraPct: m('redisCpuPerCameraPct'), redisBytesPerCameraPerS: m('redisBytesPerCameraPerS'), missedPct: m('missedPct'), decodeFpsPerCamera: m('decodeFpsPerCamera') };
  });
  const base = summary.find((s) => s.workers === Math.min(...WORKERS))!;
  for (const s of summary) {
    console.log(`| ${s.workers} | ${s.cpuPerCameraPct.toFixed(2)} | ${(s.cpuPerCameraPct / base.cpuPerCameraPct).toFixed(2)} × | ${s.apiCpuPct.toFixed(1)} | ${s.pgCpuPerCameraPct.toFixed(3)}, ${s.pgXactPerCameraPerS.toFixed(2)} | ${s.redisCpuPerCameraPct.toFixed(3)}, ${(s.redisBytesPerCameraPerS / 1024).toFixed(1)} | ${s.missedPct.toFixed(2)} % | ${s.decodeFpsPerCamera.toFixed(2)} |`);
  }
  // A 60-camera site from the per-camera costs (the largest worker count measured: the most coordination).
  const worst = summary.reduce((a, b) => (b.cpuPerCameraPct > a.cpuPerCameraPct ? b : a));
  const cameraCores = (60 * worst.cpuPerCameraPct) / 100;
  const pgCores = (60 * worst.pgCpuPerCameraPct) / 100;
  const redisCores = (60 * worst.redisCpuPerCameraPct) / 100;
  // Workers sized like this machine (its cores), kept at 70 % so that a worker's death fits on the others.
  const cores = machine.cores;
  const perWorker = Math.max(1, Math.floor((0.7 * cores * 100) / worst.cpuPerCameraPct));
  const workers = Math.ceil(60 / perWorker) + 1;
  console.log(`\nA 60-camera site like these cameras: ${cameraCores.toFixed(1)} cores for the cameras (${worst.cpuPerCameraPct.toFixed(2)} % each), PostgreSQL ${pgCores.toFixed(2)} cores and ${(60 * worst.pgXactPerCameraPerS).toFixed(0)} transactions/s, Redis ${redisCores.toFixed(2)} cores and ${((60 * worst.redisBytesPerCameraPerS) / 1024).toFixed(0)} KiB/s; with ${cores}-core workers kept at 70 %: ${perWorker} cameras each, ${workers} workers (one spare for failover). Cameras with people in view add inference per detection (README "Camera capacity").`);
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ machine, cameras: CAMERAS, seconds: SECONDS, rounds: ROUNDS, runs: rows, summary }, null, 2));
}

await main();
