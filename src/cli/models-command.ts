import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { addModelFile, addModelUrl, listModels, removeModel, type ModelListing, type ModelStoreDirs, type UserModel } from '../assets/model-store.ts';
import { loadCliConfig } from './cli-config.ts';
import { AppError, errorMessage, isAppError } from '../core/errors.ts';
import { proposeManifest, type Proposal } from '../vision/inspect.ts';
import { ProgressBar } from './progress.ts';
import { readOnnxInfo, type OnnxInfo, type OnnxTensorInfo } from '../vision/onnx/onnx-model.ts';

/** Usage of `sightline models`. */
export const MODELS_USAGE = `usage: sightline models inspect FILE.onnx [--json]
       sightline models list [--json] [--config FILE]
       sightline models add FILE.onnx|URL [--sha256 HEX] [--id ID] [--config FILE]
       sightline models remove ID [--config FILE]
inspect  reads an ONNX file's inputs, outputs, opsets, producer and metadata (without loading the model) and
         proposes a model manifest for it, with notes on what was inferred and what is a guess;
         --json prints {file, info, proposal: {manifest, notes}} (proposal is null when no layout fits)
list     every catalog model and every added model: task, input size, licence, whether its file is present
         (in <dataDir>/models or the assets folder's models/), its size and whether its sha256 matches
add      copies (or downloads, --sha256 required) an .onnx file into <dataDir>/models and records its proposed
         manifest in user-models.json; refuses a taken id, a file that is not ONNX, an unsupported layout
remove   deletes an added model (file and entry) or a downloaded catalog model's file from <dataDir>/models;
         files in the assets folder are never removed`;

const dims = (t: OnnxTensorInfo) => `[${t.dims.join(',')}]`;

function tensorLines(list: readonly OnnxTensorInfo[]): string[] {
  const width = Math.max(0, ...list.map((t) => t.name.length));
  return list.map((t) => `  ${t.name.padEnd(width)}  ${t.elemType} ${dims(t)}`);
}

/** One line per field, so the proposal is valid JSON that stays readable (the label list on one line). */
const compactJson = (obj: object): string =>
  `{\n${Object.entries(obj).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n')}\n}`;

function describe(file: string, sizeBytes: number, info: OnnxInfo): string {
  const keys = Object.keys(info.metadata);
  return [
    `${file} (${(sizeBytes / 1e6).toFixed(1)} MB): ONNX IR ${info.irVersion}, produced by ${info.producer.name || '(unknown)'} ${info.producer.version}`.trimEnd(),
    `opsets: ${info.opsets.map((o) => `${o.domain} ${o.version}`).join(', ') || '(none)'}`,
    `graph ${info.graphName || '(unnamed)'}: ${info.nodeCount} nodes; ops ${info.opTypes.join(', ')}`,
    'inputs:',
    ...tensorLines(info.inputs),
    'outputs:',
    ...tensorLines(info.outputs),
    `metadata: ${keys.length ? keys.join(', ') : '(none)'}`,
  ].join('\n');
}

async function inspectCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' }, help: { type: 'boolean' } } });
  if (values.help || positionals.length !== 1) {
    (values.help ? console.log : console.error)(MODELS_USAGE);
    return values.help ? 0 : 2;
  }
  const file = positionals[0]!;
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new AppError('MODEL_LOAD_FAILED', `cannot read model file ${file}: ${errorMessage(err)}`, { cause: err });
  }
  const info = readOnnxInfo(bytes, file);
  let proposal: Proposal | null = null;
  let problem: unknown;
  try {
    const p = proposeManifest(info, file);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    proposal = { ...p, manifest: { ...p.manifest, sha256, sizeBytes: bytes.length } };
  } catch (err) {
    if (!isAppError(err, 'MODEL_LAYOUT_UNSUPPORTED')) throw err;
    problem = err;
  }
  if (values.json) {
    console.log(JSON.stringify({ file, info, proposal }, null, 2));
  } else {
    console.log(describe(file, bytes.length, info));
    if (proposal) {
      console.log(`proposed manifest:\n${compactJson(proposal.manifest)}\nnotes:\n${proposal.notes.map((n) => `  - ${n}`).join('\n')}`);
    }
  }
  // The facts above are worth printing even when no layout fits; the error line follows them.
  if (problem) throw problem;
  return 0;
}

/** The model folders of the configuration named by --config / SIGHTLINE_CONFIG (plus env overrides). */
async function storeDirs(configFile: string | undefined): Promise<ModelStoreDirs> {
  const { dataDir, assets } = await loadCliConfig(configFile);
  return { modelDir: join(dataDir, 'models'), assetsModelDir: assets ? join(assets, 'models') : null };
}

const STORE_OPTIONS = {
  json: { type: 'boolean' },
  config: { type: 'string' },
  id: { type: 'string' },
  sha256: { type: 'string' },
  help: { type: 'boolean' },
} as const;

function listingTable(rows: readonly ModelListing[]): string {
  const cells = rows.map((r) => [
    r.id,
    r.origin,
    r.task,
    `${r.inputWidth}x${r.inputHeight}`,
    r.licence,
    r.location ?? 'missing',
    r.sizeBytes === null ? '-' : `${(r.sizeBytes / 1e6).toFixed(1)} MB`,
    r.checksum === null ? '-' : `sha256 ${r.checksum}`,
  ]);
  const head = ['id', 'origin', 'task', 'input', 'licence', 'present', 'size', 'checksum'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  return [head, ...cells].map((c) => c.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

const describeAdded = (m: UserModel, path: string): string =>
  `added ${m.id}: ${m.task} (${m.family}), input ${m.inputWidth}x${m.inputHeight}, licence ${m.licence}, ` +
  `${m.sizeBytes} bytes, sha256 ${m.sha256}\n  file ${path}\n  from ${m.source}`;

async function storeCommand(sub: 'list' | 'add' | 'remove', argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: STORE_OPTIONS });
  const wanted = sub === 'list' ? 0 : 1;
  if (values.help || positionals.length !== wanted) {
    (values.help ? console.log : console.error)(MODELS_USAGE);
    return values.help ? 0 : 2;
  }
  const dirs = await storeDirs(values.config);
  if (sub === 'list') {
    const rows = await listModels(dirs);
    console.log(values.json ? JSON.stringify({ models: rows }, null, 2) : listingTable(rows));
    return 0;
  }
  const target = positionals[0]!;
  if (sub === 'remove') {
    const removed = await removeModel(target, dirs);
    console.log(`removed ${removed.origin === 'user' ? 'added model' : 'downloaded catalog model'} ${removed.id}: deleted ${removed.path}`);
    return 0;
  }
  let added: UserModel;
  if (/^https?:\/\//.test(target)) {
    if (!values.sha256) throw new AppError('BAD_REQUEST', `--sha256: expected the sha256 of ${target}, got none; a download is kept only when it matches`);
    const bar = new ProgressBar(`downloading ${target}`, 'bytes');
    added = await addModelUrl(target, values.sha256, dirs, { id: values.id, onProgress: (r, t) => bar.update(r, t) });
    bar.done();
  } else {
    added = await addModelFile(target, dirs, { id: values.id });
  }
  console.log(values.json ? JSON.stringify(added, null, 2) : describeAdded(added, join(dirs.modelDir, added.file)));
  return 0;
}

/** `sightline models inspect|list|add|remove`; returns the exit code. */
export async function modelsCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'inspect') return inspectCommand(rest);
  if (sub === 'list' || sub === 'add' || sub === 'remove') return storeCommand(sub, rest);
  const help = sub === undefined || sub === 'help' || sub === '--help' || sub === '-h';
  (help ? console.log : console.error)(`${help ? '' : `sightline models: unknown subcommand "${sub}"\n`}${MODELS_USAGE}`);
  return help && sub !== undefined ? 0 : 2;
}
