// Layering rules that keep adapters at the edges: checked on the source text.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('.', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.(ts|mjs)$/.test(e.name) && !e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
}

const files = sourceFiles(SRC).map((p) => ({ path: relative(SRC, p), text: readFileSync(p, 'utf8') }));

test('onnxruntime-node is imported in exactly one file, the inference worker', () => {
  const importers = files.filter((f) => /from ['"]onnxruntime-node['"]|import\(['"]onnxruntime-node['"]\)/.test(f.text)).map((f) => f.path);
  assert.deepEqual(importers, ['vision/adapters/onnx-worker.mjs']);
});

test('only the ingest folder starts ffmpeg decoders', () => {
  const spawners = files.filter((f) => /spawn\(\s*['"]ffmpeg['"]/.test(f.text)).map((f) => f.path);
  assert.ok(spawners.length > 0 && spawners.every((p) => p.startsWith('ingest/')), spawners.join(', '));
});
