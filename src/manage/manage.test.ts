import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { AppError } from '../core/errors.ts';
import { ConfigService } from './config-service.ts';
import type { ConfigStore, StoredConfigVersion } from './config-store.ts';
import { mergePatch } from './merge-patch.ts';
import { diffDocuments, maskSecrets, restoreSecrets, SECRET_MASK } from './site-document.ts';

const SECRET = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;

/** Versions in memory (the SQL store has its own contract test). */
class MemoryStore implements ConfigStore {
  readonly rows: StoredConfigVersion[] = [];
  async latest() {
    return this.rows.at(-1) ?? null;
  }
  async get(v: number) {
    return this.rows.find((r) => r.version === v) ?? null;
  }
  async latestFromFile() {
    return [...this.rows].reverse().find((r) => r.fileDigest !== null) ?? null;
  }
  async list(opts: { limit: number; before?: number | undefined }) {
    return [...this.rows].reverse().filter((r) => opts.before === undefined || r.version < opts.before).slice(0, opts.limit);
  }
  async append(v: StoredConfigVersion) {
    if (this.rows.some((r) => r.version === v.version)) throw new AppError('CONFIG_CONFLICT', 'taken');
    this.rows.push(structuredClone(v));
  }
}

function config(extra: Record<string, unknown> = {}): Config {
  const r = validateConfig({
    cameras: [{ id: 'front', source: { url: 'rtsp://user:pw@cam/front' }, zones: [{ id: 'door', polygon: [[0, 0], [1, 0], [1, 1]] }] }],
    delivery: { destinations: [{ type: 'webhook', id: 'hook', url: 'http://h/x', secret: SECRET }] },
    ...extra,
  });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  return r.config;
}

const actor = { name: 'user:alice' };

test('secrets are masked in views and a masked value sent back keeps the stored one', () => {
  const doc = { cameras: [{ id: 'front', source: { url: 'rtsp://user:pw@cam/front' } }], delivery: { destinations: [{ id: 'hook', secret: SECRET, smtp: { password: 'p' } }] } };
  const masked = maskSecrets(doc);
  assert.equal(masked.cameras[0]!.source.url, `rtsp://user:${SECRET_MASK}@cam/front`);
  assert.equal(masked.delivery.destinations[0]!.secret, SECRET_MASK);
  assert.equal(masked.delivery.destinations[0]!.smtp.password, SECRET_MASK);
  assert.ok(!JSON.stringify(masked).includes(SECRET) && !JSON.stringify(masked).includes(':pw@'));
  assert.deepEqual(restoreSecrets(masked, doc), doc, 'masks come back as the stored values');
  // Matched by id, not position; a new value replaces; a changed URL host does not take the old password.
  const reordered = { ...masked, cameras: [{ id: 'new', source: { url: 'rtsp://x/y' } }, masked.cameras[0]!] };
  assert.equal((restoreSecrets(reordered, doc) as typeof doc).cameras[1]!.source.url, 'rtsp://user:pw@cam/front');
  const moved = { ...masked, cameras: [{ id: 'front', source: { url: `rtsp://user:${SECRET_MASK}@other/front` } }] };
  assert.equal((restoreSecrets(moved, doc) as typeof doc).cameras[0]!.source.url, `rtsp://user:${SECRET_MASK}@other/front`);
});

test('the diff names paths by id, masks secrets and says when only the order changed', () => {
  const a = { cameras: [{ id: 'a', rules: [{ id: 'r1', zone: 'x' }, { id: 'r2' }] }], delivery: { destinations: [{ id: 'h', secret: 's1' }] } };
  const b = { cameras: [{ id: 'a', rules: [{ id: 'r2' }, { id: 'r1', zone: 'y' }] }, { id: 'b' }], delivery: { destinations: [{ id: 'h', secret: 's2' }] } };
  const d = diffDocuments(a, b);
  assert.deepEqual(d.map((c) => c.path).sort(), ['cameras[a].rules order', 'cameras[a].rules[r1].zone', 'cameras[b]', 'delivery.destinations[h].secret'].sort());
  const secret = d.find((c) => c.path.endsWith('secret'))!;
  assert.ok(!JSON.stringify(secret).includes('s1') && !JSON.stringify(secret).includes('s2'));
  assert.deepEqual(diffDocuments(a, structuredClone(a)), []);
});

test('JSON Merge Patch: objects merge, null removes, arrays replace', () => {
  assert.deepEqual(mergePatch({ a: 1, b: { c: 2, d: 3 }, e: [1] }, { b: { c: null, x: 1 }, e: [2], f: 'n' }), { a: 1, b: { d: 3, x: 1 }, e: [2], f: 'n' });
});

test('the file seeds version 1; changes are validated, versioned, applied in order; rollback; an edited file wins at the next start', async () => {
  const store = new MemoryStore();
  const { service, seeded } = await ConfigService.open(store, config(), () => 1000);
  assert.equal(seeded, 'new');
  assert.equal(service.version, 1);
  const applied: string[] = [];
  service.setApplier(async (next) => void applied.push(next.cameras.map((c) => c.id).join(',')));

  const r = await service.change(actor, 'camera.create', (d) => void d.cameras.push({ id: 'back', source: { url: 'rtsp://cam/back' } }));
  assert.equal(r.version, 2);
  assert.deepEqual(r.changes.map((c) => c.path), ['cameras[back]']);
  assert.deepEqual(applied, ['front,back']);
  assert.equal(store.rows[1]!.actor, 'user:alice');

  // A rule naming a missing zone: refused with the document path, nothing stored or applied.
  await assert.rejects(
    service.change(actor, 'rule.create', (d) => void (d.cameras[0]!['rules'] = [{ id: 'r', type: 'presence', zone: 'nowhere' }])),
    (e: AppError) => e.code === 'CONFIG_REJECTED' && /cameras\[0\]\.rules\[0\]\.zone/.test(e.message),
  );
  assert.equal(service.version, 2);
  assert.equal(applied.length, 1);
  // Stale version: refused.
  await assert.rejects(service.change(actor, 'x', () => undefined, 1), (e: AppError) => e.code === 'CONFIG_CONFLICT');
  // A masked secret keeps the stored value.
  await service.change(actor, 'destination.update', (d) => void (d.delivery.destinations[0]!['url'] = 'http://h/y'));
  const masked = maskSecrets(service.draft());
  await service.replace(actor, 'import', masked);
  assert.equal((service.current().delivery.destinations[0] as { secret: string }).secret, SECRET);

  const back = await service.rollback(actor);
  assert.equal(back.version, 4, 'a masked import that changes nothing makes no version; rollback is version 4');
  assert.equal((service.current().delivery.destinations[0] as { url: string }).url, 'http://h/x');
  assert.deepEqual(service.current().cameras.map((c) => c.id), ['front', 'back'], 'one version back only');

  // Reopened with the same file: the database's version is in force.
  const again = await ConfigService.open(store, config(), () => 2000);
  assert.equal(again.seeded, null);
  assert.equal(again.service.version, 4);
  assert.deepEqual(again.service.current().cameras.map((c) => c.id), ['front', 'back']);
  // The file was edited: it becomes a version of its own.
  const edited = await ConfigService.open(store, config({ recording: { maxSizeMb: 5 } }), () => 3000);
  assert.equal(edited.seeded, 'file changed');
  assert.equal(edited.service.version, 5);
  assert.equal(edited.service.current().recording.maxSizeMb, 5);
  assert.deepEqual(edited.service.current().cameras.map((c) => c.id), ['front']);
});

test('changes run one at a time, in the order they came', async () => {
  const { service } = await ConfigService.open(new MemoryStore(), config());
  let active = 0;
  let most = 0;
  service.setApplier(async () => {
    most = Math.max(most, ++active);
    await new Promise((r) => setTimeout(r, 5));
    active--;
  });
  const results = await Promise.all(Array.from({ length: 5 }, (_, i) => service.change(actor, 'x', (d) => void d.cameras.push({ id: `c${i}`, source: { url: `rtsp://c/${i}` } }))));
  assert.deepEqual(results.map((r) => r.version), [2, 3, 4, 5, 6]);
  assert.equal(most, 1);
  assert.deepEqual(service.current().cameras.map((c) => c.id), ['front', 'c0', 'c1', 'c2', 'c3', 'c4']);
});

test('two nodes on one store: each change is made against the newest stored version, and refresh takes the other node\'s', async () => {
  const store = new MemoryStore();
  const { service: a } = await ConfigService.open(store, config());
  const { service: b } = await ConfigService.open(store, config());
  const applied: number[] = [];
  b.setApplier(async (next) => void applied.push(next.cameras.length));
  await a.change(actor, 'camera.update', (d) => void (d.cameras[0]!['enabled'] = false));
  assert.equal(b.current().cameras[0]!.enabled, true, 'b has not looked yet');
  // b is behind: turning the camera back on is still a change (against version 2), not a no-op against version 1.
  const r = await b.change(actor, 'camera.update', (d) => void (d.cameras[0]!['enabled'] = true));
  assert.equal(r.version, 3);
  assert.equal(b.current().cameras[0]!.enabled, true);
  assert.equal(await a.refresh(), 3);
  assert.equal(a.current().cameras[0]!.enabled, true, 'a took b\'s version');
  assert.equal(await a.refresh(), 3, 'nothing newer: nothing applied');
  assert.ok(applied.length >= 1, 'b applied the version it took before its own change');
});
