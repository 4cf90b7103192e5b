import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isAppError } from '../core/errors.ts';
import { FileMediaStore, snapshotRelativePath } from './media-store.ts';

const EVENT_ID = '3f0c6f5e-8d3a-4a8e-9a57-0c6a2b1e9d41';

describe('snapshotRelativePath', () => {
  const table: Array<[string, string, number, string]> = [
    ['UTC date just before midnight', 'gate', Date.UTC(2024, 0, 31, 23, 59, 59, 999), `snapshots/gate/2024-01-31/${EVENT_ID}.jpg`],
    ['UTC date at midnight', 'gate', Date.UTC(2024, 1, 1), `snapshots/gate/2024-02-01/${EVENT_ID}.jpg`],
    ['media time of an offline video', 'clip_1', 12_345, `snapshots/clip_1/1970-01-01/${EVENT_ID}.jpg`],
  ];
  for (const [name, cameraId, timeMs, expected] of table) {
    it(name, () => {
      assert.equal(snapshotRelativePath(cameraId, EVENT_ID, timeMs), expected);
    });
  }

  const bad: Array<[string, string, string, number]> = [
    ['camera id with ..', '../evil', EVENT_ID, 0],
    ['camera id with a slash', 'a/b', EVENT_ID, 0],
    ['empty camera id', '', EVENT_ID, 0],
    ['hidden camera id', '.git', EVENT_ID, 0],
    ['event id with a slash', 'gate', '../../x', 0],
    ['NaN time', 'gate', EVENT_ID, Number.NaN],
    ['time out of Date range', 'gate', EVENT_ID, 9e15],
  ];
  for (const [name, cameraId, eventId, timeMs] of bad) {
    it(`rejects ${name}`, () => {
      assert.throws(() => snapshotRelativePath(cameraId, eventId, timeMs), (err: unknown) => isAppError(err, 'BAD_REQUEST'));
    });
  }
});

describe('FileMediaStore', () => {
  let root: string;
  let store: FileMediaStore;

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'sightline-media-'));
    store = new FileMediaStore(path.join(root, 'media'));
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes a snapshot under snapshots/<camera>/<date>/<event>.jpg and reads it back', async () => {
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);
    const relativePath = await store.writeSnapshot({
      cameraId: 'gate',
      eventId: EVENT_ID,
      timeMs: Date.UTC(2024, 10, 21, 6, 0),
      jpeg,
    });
    assert.equal(relativePath, `snapshots/gate/2024-11-21/${EVENT_ID}.jpg`);
    assert.equal(store.absolutePath(relativePath), path.join(root, 'media', 'snapshots', 'gate', '2024-11-21', `${EVENT_ID}.jpg`));
    assert.deepEqual(new Uint8Array((await store.readFile(relativePath)) ?? []), jpeg);
  });

  it('rewriting replaces the file and leaves no temporary files', async () => {
    const relativePath = 'snapshots/yard/2024-11-21/replace.jpg';
    await store.writeFile(relativePath, new Uint8Array([1, 2, 3, 4, 5, 6]));
    await store.writeFile(relativePath, new Uint8Array([9]));
    assert.deepEqual([...((await store.readFile(relativePath)) ?? [])], [9]);
    assert.deepEqual(await readdir(path.dirname(store.absolutePath(relativePath))), ['replace.jpg']);
  });

  it('concurrent writes to one path leave one complete version', async () => {
    const relativePath = 'snapshots/yard/2024-11-21/race.jpg';
    const versions = [0, 1, 2, 3, 4, 5, 6, 7].map((v) => new Uint8Array(64 * 1024).fill(v));
    await Promise.all(versions.map((data) => store.writeFile(relativePath, data)));
    const stored = await store.readFile(relativePath);
    assert.ok(stored !== null);
    assert.equal(stored.length, 64 * 1024);
    assert.ok(stored.every((byte) => byte === stored[0]));
    assert.deepEqual(await readdir(path.dirname(store.absolutePath(relativePath))), ['race.jpg', 'replace.jpg']);
  });

  it('reading a missing file gives null', async () => {
    assert.equal(await store.readFile('snapshots/nowhere/2024-01-01/none.jpg'), null);
    assert.equal(await store.readFile('snapshots/yard/2024-11-21/replace.jpg/deeper'), null);
  });

  it('a failed write leaves no temporary file and keeps the old file', async () => {
    const relativePath = 'snapshots/gate/2024-11-22/blocked.jpg';
    await store.writeFile(relativePath, new Uint8Array([7]));
    // A file where the write's parent folder should be makes it fail; other files are untouched.
    await writeFile(store.absolutePath('snapshots/file-not-folder'), 'x');
    await assert.rejects(store.writeFile('snapshots/file-not-folder/a.jpg', new Uint8Array([1])));
    assert.deepEqual([...((await store.readFile(relativePath)) ?? [])], [7]);
  });

  const escaping: Array<[string, string]> = [
    ['parent folder', '../outside.jpg'],
    ['parent through a subfolder', 'snapshots/../../outside.jpg'],
    ['the root itself', '.'],
    ['the root parent', '..'],
    ['absolute path', '/etc/passwd'],
    ['backslash', 'snapshots\\..\\..\\x'],
    ['NUL byte', 'snapshots/a\0.jpg'],
    ['empty', ''],
  ];
  for (const [name, relativePath] of escaping) {
    it(`rejects a path that escapes the root: ${name}`, async () => {
      const isBadRequest = (err: unknown): boolean => isAppError(err, 'BAD_REQUEST');
      assert.throws(() => store.absolutePath(relativePath), isBadRequest);
      await assert.rejects(store.readFile(relativePath), isBadRequest);
      await assert.rejects(store.writeFile(relativePath, new Uint8Array([1])), isBadRequest);
    });
  }

  it('accepts a path with .. that stays inside the root', () => {
    assert.equal(store.absolutePath('snapshots/a/../b.jpg'), path.join(root, 'media', 'snapshots', 'b.jpg'));
  });

  it('does not follow a symlink inside the media folder to a file outside it (one inside is fine)', async () => {
    const outside = path.join(root, 'secret.txt');
    await writeFile(outside, 'not media');
    await mkdir(path.join(root, 'media', 'snapshots'), { recursive: true });
    await symlink(outside, path.join(root, 'media', 'snapshots', 'escape.jpg'));
    await symlink(root, path.join(root, 'media', 'snapshots', 'up'));
    assert.equal(await store.readFile('snapshots/escape.jpg'), null);
    assert.equal(await store.readFile('snapshots/up/secret.txt'), null);
    await writeFile(path.join(root, 'media', 'snapshots', 'real.jpg'), 'jpeg');
    await symlink(path.join(root, 'media', 'snapshots', 'real.jpg'), path.join(root, 'media', 'snapshots', 'alias.jpg'));
    assert.equal(String(await store.readFile('snapshots/alias.jpg')), 'jpeg');
  });
});
