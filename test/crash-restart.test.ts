// kill -9 and restart: the events the dead server left open are closed at the next start with endReason "restart" at
// their last sighting, and none stays "in progress" forever. The real server as a process, the demo clip, PGlite.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { ASSETS } from './support/assets.ts';
import { assertEventsMatchSchema } from './support/event-schema.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the server as its own process; resolves with its URL once it listens, and the log lines it printed. */
async function startServer(config: string): Promise<{ child: ChildProcess; url: string; lines: string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  child.stderr!.on('data', (d: Buffer) => lines.push(d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not listen within 60 s:\n${lines.join('\n')}`)), 60_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const m = /"url":"(http:[^"]+)"/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`the server exited with ${code}:\n${lines.join('\n')}`)));
  });
  return { child, url, lines };
}

async function events(url: string): Promise<any[]> {
  const res = await fetch(`${url}/api/events?camera=demo&limit=500`);
  return ((await res.json()) as { events: any[] }).events;
}

function stopped(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

test('kill -9, then restart: every event left open is closed with endReason restart at its last sighting', { timeout: 240_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sightline-crash-'));
  const config = join(dataDir, 'config.yml');
  writeFileSync(config, [
    'server: { port: 0 }',
    'auth: { enabled: false }',
    `dataDir: ${JSON.stringify(dataDir)}`,
    `assets: ${JSON.stringify(ASSETS)}`,
    'models: { download: false }',
    'log: { level: info }',
    'cameras:',
    '  - { id: demo, source: { url: "sample:vtest" }, detect: { fps: 5 }, record: { mode: "off" } }',
    '',
  ].join('\n'));
  let first: ChildProcess | null = null;
  let second: ChildProcess | null = null;
  try {
    const a = await startServer(config);
    first = a.child;
    // Wait for several events in progress (vtest has people walking all the time), and let them be seen for a while.
    let open: any[] = [];
    const end = performance.now() + 90_000;
    while (open.length < 2) {
      if (performance.now() > end) throw new Error(`fewer than 2 open events after 90 s: ${JSON.stringify(await events(a.url))}`);
      await sleep(500);
      open = (await events(a.url)).filter((e) => e.endMs === null);
    }
    await sleep(1500);
    const beforeKill = await events(a.url);
    const openIds = new Set(beforeKill.filter((e) => e.endMs === null).map((e) => e.id));
    first.kill('SIGKILL');
    await stopped(first);
    first = null;

    const b = await startServer(config);
    second = b.child;
    const after = await events(b.url);
    const leftOpen = after.filter((e) => openIds.has(e.id));
    assert.equal(leftOpen.length, openIds.size, 'every event open at the kill is still stored');
    for (const e of leftOpen) {
      assert.equal(e.endReason, 'restart', `event ${e.id}`);
      assert.equal(e.endMs, e.lastSeenMs, 'ended at its last sighting');
      const seen = beforeKill.find((x) => x.id === e.id)!;
      assert.ok(e.endMs >= seen.lastSeenMs && e.endMs >= e.startMs, `end ${e.endMs} >= last sighting ${seen.lastSeenMs} before the kill`);
    }
    // Nothing from the first run is in progress: only events the second run opened itself may be open.
    const firstRun = after.filter((e) => beforeKill.some((x) => x.id === e.id));
    assert.deepEqual(firstRun.filter((e) => e.endMs === null), []);
    assert.ok(b.lines.some((l) => /closed events left open by the last run/.test(l) && new RegExp(`"events":${openIds.size}\\b`).test(l)), 'the restart says how many it closed');
    assertEventsMatchSchema(after, 'events after the restart');
  } finally {
    for (const child of [first, second]) {
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const gone = stopped(child);
        await Promise.race([gone, sleep(15_000)]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await gone;
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
});
