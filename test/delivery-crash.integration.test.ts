// Sightline killed with SIGKILL in the middle of a burst of 1,000 events, then restarted: every stored event version
// is delivered after recovery, a repeat only ever carries the same webhook-id, and nothing stored is lost.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { newSecret } from './support/delivery-stack.ts';
import { waitFor } from './support/wait.ts';
import { WebhookReceiver } from './support/webhook-receiver.ts';

const CHILD = new URL('./support/delivery-child.ts', import.meta.url).pathname;

function runChild(args: string[]): { child: ChildProcess; out: string[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop()!;
    out.push(...lines);
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => {
    if (code) process.stderr.write(err);
    r(code);
  }));
  return { child, out, exited };
}

test('SIGKILL in the middle of a burst of 1,000 events: after a restart every stored version is delivered, repeats carry the same webhook-id', { timeout: 240_000 }, async () => {
  const secret = newSecret();
  const receiver = new WebhookReceiver(secret);
  await receiver.start();
  const dataDir = mkdtempSync(join(tmpdir(), 'sightline-crash-'));
  let burst: ReturnType<typeof runChild> | null = null;
  let drain: ReturnType<typeof runChild> | null = null;
  try {
    burst = runChild(['burst', dataDir, receiver.url, secret, '1000']);
    await waitFor('deliveries under way and the burst not finished', () => {
      const wrote = Number(burst!.out.at(-1)?.split(' ')[1] ?? 0);
      return (receiver.accepted.length >= 200 && wrote > 0) || wrote >= 700;
    }, 120_000, 5);
    burst.child.kill('SIGKILL');
    await burst.exited;
    const wroteBeforeKill = Number(burst.out.filter((l) => l.startsWith('wrote')).at(-1)!.split(' ')[1]);
    const acceptedBeforeKill = receiver.accepted.length;
    assert.ok(wroteBeforeKill < 1000, `killed in the middle of the burst (after ${wroteBeforeKill} events)`);
    assert.ok(acceptedBeforeKill > 0, 'deliveries were under way when the process was killed');

    drain = runChild(['drain', dataDir, receiver.url, secret]);
    assert.equal(await drain.exited, 0);
    const line = drain.out.find((l) => l.startsWith('stored '))!;
    const stored: string[] = JSON.parse(line.slice('stored '.length));
    // Nothing stored is lost: every event the burst reported as written is there (and maybe one more in flight).
    const storedEvents = new Set(stored.map((id) => id.split('_')[1]));
    assert.ok(storedEvents.size >= wroteBeforeKill, `${storedEvents.size} events stored, ${wroteBeforeKill} reported written`);
    assert.ok(receiver.accepted.length > acceptedBeforeKill);
    await waitFor('every stored version accepted', () => receiver.accepted.length >= stored.length, 30_000);
    assert.deepEqual([...receiver.accepted].sort(), [...stored].sort(), 'each stored version accepted exactly once by the deduping receiver');
    const repeats = receiver.requests.filter((r) => !r.fresh);
    assert.ok(repeats.every((r) => stored.includes(r.id)), 'repeats only carry ids of stored versions');
    assert.equal(receiver.badSignatures.length, 0);
    process.stderr.write(`crash test: ${wroteBeforeKill} events written before SIGKILL, ${stored.length} versions stored, ${acceptedBeforeKill} accepted before the kill, ${repeats.length} repeats after the restart\n`);
  } finally {
    burst?.child.kill('SIGKILL');
    drain?.child.kill('SIGKILL');
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
