// Layering rules that keep adapters at the edges: checked on the source text, following imports transitively.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('.', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.(ts|mjs)$/.test(e.name) && !e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
}

const files = sourceFiles(SRC).map((p) => ({ path: relative(SRC, p), text: readFileSync(p, 'utf8') }));
const textOf = new Map(files.map((f) => [f.path, f.text]));

/**
 * Runtime imports of a source file (`import type` and `export type` are erased and do not count): module specifiers
 * of static imports, re-exports, dynamic `import()` and `new Worker(new URL(...))`.
 */
function runtimeImports(text: string): string[] {
  const out: string[] = [];
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  for (const m of code.matchAll(/^\s*(import|export)\s+(type\s+)?([^;]*?)\s+from\s+['"]([^'"]+)['"]/gm)) if (!m[2]) out.push(m[4]!);
  for (const m of code.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) out.push(m[1]!);
  for (const m of code.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  for (const m of code.matchAll(/new\s+URL\(\s*['"](\.[^'"]+)['"]\s*,\s*import\.meta\.url/g)) if (/\.(ts|mjs|js)$/.test(m[1]!)) out.push(m[1]!);
  return out;
}

/** Every package or `node:` module a file reaches through runtime imports, with the chain that reaches it. */
function reachedModules(start: string): Map<string, string[]> {
  const reached = new Map<string, string[]>();
  const seen = new Set<string>([start]);
  const queue: { file: string; chain: string[] }[] = [{ file: start, chain: [start] }];
  while (queue.length > 0) {
    const { file, chain } = queue.shift()!;
    for (const spec of runtimeImports(textOf.get(file) ?? '')) {
      if (spec.startsWith('.')) {
        const target = relative(SRC, resolve(dirname(join(SRC, file)), spec));
        if (!seen.has(target) && textOf.has(target)) {
          seen.add(target);
          queue.push({ file: target, chain: [...chain, target] });
        }
      } else if (!reached.has(spec)) reached.set(spec, chain);
    }
  }
  return reached;
}

/** Adapters: the libraries (and Node modules) that do I/O a pure or pipeline module must get through a port. */
const ADAPTERS: readonly { name: string; test: (spec: string) => boolean }[] = [
  { name: 'ffmpeg (child_process spawn/execFile)', test: (s) => s === 'node:child_process' || s === 'child_process' },
  { name: 'sharp', test: (s) => s === 'sharp' },
  { name: 'fastify', test: (s) => s === 'fastify' || s.startsWith('@fastify/') },
  { name: 'pg / PGlite', test: (s) => s === 'pg' || s.startsWith('@electric-sql/pglite') },
  { name: 'onnxruntime', test: (s) => s.startsWith('onnxruntime') },
  { name: 'MQTT client', test: (s) => s === 'mqtt' },
  { name: 'SMTP client', test: (s) => s === 'nodemailer' },
  { name: 'Redis client', test: (s) => s === 'redis' || s.startsWith('@redis/') },
  { name: 'files and sockets', test: (s) => ['node:fs', 'node:fs/promises', 'fs', 'node:net', 'node:http', 'node:worker_threads'].includes(s) },
];

describe('pipeline/, rules/, events/, tracking/, mapping/, fusion/, analytics/, delivery/, auth/, manage/, jobs/ and cluster/ import no adapter, not even through another module', () => {
  for (const folder of ['pipeline', 'rules', 'events', 'tracking', 'mapping', 'fusion', 'analytics', 'delivery', 'auth', 'manage', 'jobs', 'cluster']) {
    test(folder, () => {
      const problems: string[] = [];
      for (const f of files.filter((x) => x.path.startsWith(`${folder}/`))) {
        for (const [spec, chain] of reachedModules(f.path)) {
          const adapter = ADAPTERS.find((a) => a.test(spec));
          if (adapter) problems.push(`${chain.join(' -> ')} imports "${spec}" (${adapter.name}); take it as a port from the composition root`);
        }
      }
      assert.deepEqual(problems, []);
    });
  }
});

test('the check sees through imports: a module that reaches child_process through two others is caught', () => {
  textOf.set('fixture/a.ts', "import { b } from './b.ts';");
  textOf.set('fixture/b.ts', "import type { X } from '../x.ts';\nexport { c } from './c.ts';");
  textOf.set('fixture/c.ts', "import { spawn } from 'node:child_process';");
  try {
    const reached = reachedModules('fixture/a.ts');
    assert.deepEqual(reached.get('node:child_process'), ['fixture/a.ts', 'fixture/b.ts', 'fixture/c.ts']);
    assert.ok(!reached.has('../x.ts') && ![...reached.keys()].some((k) => k.includes('x.ts')), 'type imports do not count');
    assert.deepEqual(runtimeImports(textOf.get('fixture/b.ts')!), ['./c.ts']);
    assert.deepEqual(runtimeImports(textOf.get('fixture/c.ts')!), ['node:child_process']);
    assert.deepEqual(runtimeImports("import type { A } from 'sharp';\nexport type { B } from 'fastify';"), []);
    assert.deepEqual(runtimeImports("const w = new Worker(new URL('./onnx-worker.mjs', import.meta.url));"), ['./onnx-worker.mjs']);
  } finally {
    for (const k of ['fixture/a.ts', 'fixture/b.ts', 'fixture/c.ts']) textOf.delete(k);
  }
});

test('onnxruntime-node is imported in exactly one file, the inference worker', () => {
  const importers = files.filter((f) => /from ['"]onnxruntime-node['"]|import\(['"]onnxruntime-node['"]\)/.test(f.text)).map((f) => f.path);
  assert.deepEqual(importers, ['vision/adapters/onnx-worker.mjs']);
});

test('only the ingest folder starts ffmpeg (spawn or execFile)', () => {
  const spawners = files.filter((f) => /(spawn|execFile|execFileSync|spawnSync)\(\s*['"]ff(mpeg|probe)['"]/.test(f.text)).map((f) => f.path);
  assert.ok(spawners.length > 0 && spawners.every((p) => p.startsWith('ingest/')), spawners.join(', '));
});

test('sharp is imported only by the JPEG renderer, fastify only by the API, the database drivers only by the store', () => {
  const importersOf = (re: RegExp) => files.filter((f) => runtimeImports(f.text).some((s) => re.test(s))).map((f) => f.path);
  assert.deepEqual(importersOf(/^sharp$/), ['media/render.ts']);
  assert.ok(importersOf(/^(fastify|@fastify\/)/).every((p) => p.startsWith('api/')));
  assert.ok(importersOf(/^(pg|@electric-sql\/pglite)/).every((p) => p.startsWith('store/')));
});

test('each delivery library is imported by its one sender: mqtt by the MQTT sender, nodemailer by the e-mail sender', () => {
  const importersOf = (re: RegExp) => files.filter((f) => runtimeImports(f.text).some((s) => re.test(s))).map((f) => f.path);
  assert.deepEqual(importersOf(/^mqtt$/), ['senders/mqtt-sender.ts']);
  assert.deepEqual(importersOf(/^nodemailer$/), ['senders/email-sender.ts']);
});

test('the Redis client is imported by the live relay alone', () => {
  const importersOf = (re: RegExp) => files.filter((f) => runtimeImports(f.text).some((s) => re.test(s))).map((f) => f.path);
  assert.deepEqual(importersOf(/^(redis|@redis\/)/), ['broker/redis-relay.ts']);
});
