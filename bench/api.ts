// Benchmark: what authentication costs the API. GET /api/events (53 stored events, the default page of 50) on PGlite
// in memory, three ways in the same run over the same database: a server with auth off (anonymous requests, the
// baseline), and the test harness's server with auth on, called with a viewer API key and with a viewer session
// cookie; and the same on GET /api/cameras (stand-in cameras, no database), where the overhead is not hidden by the
// query. Load: CONCURRENCY requests in flight over keep-alive connections, REQUESTS per variant, from a worker thread
// (its own event loop, so the client does not queue behind the server); within a round the variants alternate in
// slices of REQUESTS / 10 (off, key, session, off, ...), and rounds repeat that. Printed:
// requests/s, p50/p95 latency, the p50 and the server time per request (1 / throughput) against auth off (the auth
// overhead), and the throughput ratio, medians over rounds. Also: the server-side lookups alone
// (AuthService.keyPrincipal / sessionPrincipal on the cached path, ns per call), and login: POST /api/auth/login
// (sequential, the right password) alternating with the bare hashPassword at the current scrypt parameters.
//   node --import tsx bench/api.ts [--requests 2000] [--rounds 5] [--concurrency 8]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import pino from 'pino';
import { LiveHub } from '../src/api/live-hub.ts';
import { buildServer } from '../src/api/server.ts';
import { hashPassword, SCRYPT_PARAMS } from '../src/auth/password-hash.ts';
import { machineInfo } from '../src/bench/machine.ts';
import { DEFAULT_AUTH } from '../src/config/auth-schema.ts';
import { SqlAnalyticsStore } from '../src/store/analytics-repository.ts';
import { FileMediaStore } from '../src/store/media-store.ts';
import { camera, openTestDatabase, startAuthServer, USER_PASSWORD } from '../test/support/auth-server.ts';
import { presenceEvent } from '../test/support/events.ts';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '5' }, concurrency: { type: 'string', default: '8' } } });
const REQUESTS = Number(values.requests);
const ROUNDS = Number(values.rounds);
const CONCURRENCY = Number(values.concurrency);
const LOOKUPS = 100_000;
const LOGINS = 10;
const SLICES = 10;
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const median = (xs: number[]) => quantile(xs, 0.5);

// The load client, plain JavaScript for an eval'd worker: one keep-alive agent per variant, `c` requests in flight.
const CLIENT = `
const { parentPort } = require('node:worker_threads');
const http = require('node:http');
const agents = new Map();
parentPort.on('message', async ({ name, url, headers, n, c }) => {
  try {
    if (!agents.has(name)) agents.set(name, new http.Agent({ keepAlive: true, maxSockets: c }));
    const agent = agents.get(name);
    const latencyMs = new Array(n);
    let next = 0, bad = 0, lastStatus = 0;
    const one = () => new Promise((resolve, reject) => {
      const t = performance.now();
      http.get(url, { agent, headers }, (res) => {
        if (res.statusCode !== 200) { bad++; lastStatus = res.statusCode; }
        res.resume();
        res.on('end', () => resolve(performance.now() - t));
      }).on('error', reject);
    });
    const t0 = performance.now();
    await Promise.all(Array.from({ length: c }, async () => { while (next < n) { const i = next++; latencyMs[i] = await one(); } }));
    parentPort.postMessage({ seconds: (performance.now() - t0) / 1000, latencyMs, bad, lastStatus });
  } catch (err) { parentPort.postMessage({ error: String(err) }); }
});`;
const client = new Worker(CLIENT, { eval: true });
type Load = { seconds: number; latencyMs: number[]; bad: number; lastStatus: number; error?: string };
/** Sends `n` requests, `CONCURRENCY` in flight; the wall time and each request's latency. */
const drive = (name: string, url: string, headers: Record<string, string>, n: number) =>
  new Promise<{ seconds: number; latencyMs: number[] }>((resolve, reject) => {
    client.once('message', (r: Load) => {
      if (r.error) return reject(new Error(r.error));
      if (r.bad > 0) return reject(new Error(`${name}: ${r.bad} of ${n} answers were not 200 (last ${r.lastStatus})`));
      resolve(r);
    });
    client.postMessage({ name, url, headers, n, c: CONCURRENCY });
  });

/** Median ns per awaited call of `fn`, over `rounds` loops of `n` calls. */
async function nsPerCall(fn: () => Promise<unknown>, n: number, rounds: number) {
  const per: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await fn();
    per.push(Number(process.hrtime.bigint() - t) / n);
  }
  return median(per);
}

// /api/events is the route asked about; /api/cameras (stand-in cameras, no database) shows the same overhead without
// the 3-4 ms of the PGlite query around it.
const routes = ['/api/events', '/api/cameras'];

const m = machineInfo('cpu', 0);
console.log(`machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}`);
console.log(`GET ${routes.join(' and ')}: ${REQUESTS} requests per variant and round in ${SLICES} alternating slices, ${CONCURRENCY} in flight, ${ROUNDS} rounds; PGlite in memory; client in a worker thread`);

const opened = (await openTestDatabase('pglite'))!;
const server = await startAuthServer(opened.db);
for (let i = 0; i < 50; i++) await server.events.upsert(presenceEvent({ cameraId: i % 2 ? 'cam2' : 'cam1', startMs: Date.now() - 120_000 + i * 1000 }));
// The baseline: the same routes on the same database and event store, with authentication off.
const dir = mkdtempSync(join(tmpdir(), 'sightline-bench-api-'));
const cams = [camera('cam1'), camera('cam2')];
const open = await buildServer({
  cameras: () => cams, events: server.events, analytics: new SqlAnalyticsStore(opened.db), media: new FileMediaStore(join(dir, 'media')), log: pino({ level: 'silent' }), auth: null,
  security: { ...DEFAULT_AUTH, corsOrigins: [], bodyLimitKb: 64 },
}, new LiveHub());
await open.listen({ host: '127.0.0.1', port: 0 });
const openUrl = `http://127.0.0.1:${(open.server.address() as { port: number }).port}`;

const variants = [
  { name: 'auth off, anonymous', base: openUrl, headers: {} },
  { name: 'auth on, API key', base: server.url, headers: server.keys.viewer.headers() },
  { name: 'auth on, session', base: server.url, headers: server.sessions.viewer.headers() },
];
type Figures = { perS: number; p50: number; p95: number };
const f = (x: number, d = 2) => x.toFixed(d);
try {
  for (const route of routes) for (const v of variants) await drive(v.name, v.base + route, v.headers, Math.min(REQUESTS, 500)); // warm up
  const rounds: Figures[][][] = []; // [round][route][variant]
  for (let r = 1; r <= ROUNDS; r++) {
    const byRoute = [];
    for (const route of routes) {
      // A round is sent in SLICES alternating the variants, so a change in the machine's load hits all three alike.
      const runs = variants.map(() => ({ seconds: 0, latencyMs: [] as number[] }));
      for (let s = 0; s < SLICES; s++) {
        for (const [i, v] of variants.entries()) {
          const got = await drive(v.name, v.base + route, v.headers, Math.ceil(REQUESTS / SLICES));
          runs[i]!.seconds += got.seconds;
          runs[i]!.latencyMs.push(...got.latencyMs);
        }
      }
      const row = runs.map((x) => ({ perS: x.latencyMs.length / x.seconds, p50: median(x.latencyMs), p95: quantile(x.latencyMs, 0.95) }));
      byRoute.push(row);
      console.log(`round ${r} ${route}: ${row.map((x, i) => `${variants[i]!.name} ${Math.round(x.perS)}/s p50 ${f(x.p50)} p95 ${f(x.p95)} ms`).join('; ')}`);
    }
    rounds.push(byRoute);
  }
  console.log('\nmedians over rounds (differences and ratios paired within a round; server ms/req = 1 / throughput)');
  console.log('route        | variant               | req/s  | p50 ms | p95 ms | p50 − off ms | server ms/req − off | req/s ÷ off');
  routes.forEach((route, k) => {
    const med = (i: number, fn: (x: Figures, off: Figures) => number) => median(rounds.map((byRoute) => fn(byRoute[k]![i]!, byRoute[k]![0]!)));
    variants.forEach((v, i) => {
      console.log(
        `${route.padEnd(12)} | ${v.name.padEnd(21)} | ${String(Math.round(med(i, (x) => x.perS))).padStart(6)} | ${f(med(i, (x) => x.p50)).padStart(6)} | ${f(med(i, (x) => x.p95)).padStart(6)} | ` +
          `${f(med(i, (x, o) => x.p50 - o.p50), 3).padStart(12)} | ${f(med(i, (x, o) => 1000 / x.perS - 1000 / o.perS), 3).padStart(19)} | ${f(med(i, (x, o) => x.perS / o.perS)).padStart(11)}`,
      );
    });
  });

  const key = server.keys.viewer.key;
  const token = server.sessions.viewer.headers().cookie!.split('=')[1]!;
  const keyNs = await nsPerCall(() => server.auth.keyPrincipal(key), LOOKUPS, ROUNDS);
  const sessionNs = await nsPerCall(() => server.auth.sessionPrincipal(token), LOOKUPS, ROUNDS);
  const emptyNs = await nsPerCall(async () => null, LOOKUPS, ROUNDS);
  console.log(`\nserver-side lookup alone (cached, ${LOOKUPS} awaited calls, median of ${ROUNDS}): keyPrincipal ${Math.round(keyNs)} ns, sessionPrincipal ${Math.round(sessionNs)} ns, an empty async call ${Math.round(emptyNs)} ns`);

  // Alternating, so the difference (HTTP, the user lookup, the session write) is paired like the rest.
  const loginMs: number[] = [];
  const hashMs: number[] = [];
  for (let i = 0; i < LOGINS; i++) {
    let t = performance.now();
    await server.login('viewer1', USER_PASSWORD);
    loginMs.push(performance.now() - t);
    t = performance.now();
    await hashPassword(USER_PASSWORD);
    hashMs.push(performance.now() - t);
  }
  console.log(
    `login (scrypt N=${SCRYPT_PARAMS.N} r=${SCRYPT_PARAMS.r} p=${SCRYPT_PARAMS.p}, ${LOGINS} sequential): POST /api/auth/login p50 ${f(median(loginMs), 1)} ms, p95 ${f(quantile(loginMs, 0.95), 1)} ms; ` +
      `hashPassword alone p50 ${f(median(hashMs), 1)} ms, p95 ${f(quantile(hashMs, 0.95), 1)} ms (login − hash, paired: ${f(median(loginMs.map((x, i) => x - hashMs[i]!)), 1)} ms)`,
  );
} finally {
  await client.terminate();
  await open.close();
  await server.stop();
  await opened.dispose();
  rmSync(dir, { recursive: true, force: true });
}
