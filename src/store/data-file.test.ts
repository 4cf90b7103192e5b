import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { isAppError } from '../core/errors.ts';
import { loadLinkKey } from './link-key.ts';
import { loadNodeId } from './node-id.ts';

test('the link key and the node id are made once, kept across loads, and a damaged file is named', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'sightline-data-file-'));
  try {
    const dataDir = path.join(root, 'data');
    const [key, again] = await Promise.all([loadLinkKey(dataDir), loadLinkKey(dataDir)]);
    assert.equal(key.length, 32);
    assert.deepEqual(again, key, 'two loads at once agree on one key');
    assert.deepEqual(await loadLinkKey(dataDir), key);
    assert.equal((await stat(path.join(dataDir, 'link-signing.key'))).mode & 0o777, 0o600, 'readable only by the owner');
    const id = await loadNodeId(dataDir);
    assert.match(id, /^node-[0-9a-f-]{36}$/);
    assert.equal(await loadNodeId(dataDir), id);
    await writeFile(path.join(dataDir, 'node-id'), 'not an id!\n');
    await assert.rejects(loadNodeId(dataDir), (err: unknown) => isAppError(err, 'CONFIG_INVALID') && /node-id must hold one id/.test(err.message));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
