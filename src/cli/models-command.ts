import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { AppError, errorMessage, isAppError } from '../core/errors.ts';
import { proposeManifest, type Proposal } from '../vision/inspect.ts';
import { readOnnxInfo, type OnnxInfo, type OnnxTensorInfo } from '../vision/onnx/onnx-model.ts';

/** Usage of `sightline models`. */
export const MODELS_USAGE = `usage: sightline models inspect FILE.onnx [--json]
Reads an ONNX file's inputs, outputs, opsets, producer and metadata (without loading the model) and proposes a
model manifest for it, with notes on what was inferred and what is a guess.
  --json   print {file, info, proposal: {manifest, notes}} as JSON (proposal is null when no layout fits)`;

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

/** `sightline models inspect`; returns the exit code. */
export async function modelsCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'inspect') return inspectCommand(rest);
  const help = sub === undefined || sub === 'help' || sub === '--help' || sub === '-h';
  (help ? console.log : console.error)(`${help ? '' : `sightline models: unknown subcommand "${sub}"\n`}${MODELS_USAGE}`);
  return help && sub !== undefined ? 0 : 2;
}
