import { AppError } from '../core/errors.ts';
import { matchDetectorLayout } from './decoders/layout.ts';
import { yoloxAnchorCount } from './decoders/yolox.ts';
import type { ClipLayout, ClipOutputs } from './model-manifest.ts';
import type { OnnxInfo, OnnxTensorInfo } from './onnx/onnx-model.ts';

/** What a proposed model is for. */
export type ProposedTask = 'detect' | 'pose' | 'embed' | 'classify-clip';

/** How a proposed model's output is decoded. */
export type ProposedFamily = 'yolox' | 'ultralytics' | 'ultralytics-pose' | 'end2end' | 'detr' | 'embedder' | 'clip-classifier';

/** Axis order of the model input: images NCHW, clips NCTHW, NTCHW or NTHWC (T = frames). */
export type InputLayout = 'nchw' | ClipLayout;

/** Manifest fields proposed for a model file; detection proposals use the names of `ModelManifestSchema`. */
export interface ProposedManifest {
  id: string;
  file: string;
  task: ProposedTask;
  family: ProposedFamily;
  inputLayout: InputLayout;
  inputWidth: number;
  inputHeight: number;
  colorOrder: 'rgb' | 'bgr';
  /** Multiplier applied to 0-255 pixel values before mean/std. */
  pixelScale: number;
  mean: [number, number, number];
  std: [number, number, number];
  /** Where the resized image sits in the padded input; 'none' = stretched to the input size without padding. */
  letterbox: 'top-left' | 'center' | 'none';
  padValue: number;
  /** Label list, or the name of a catalog label set (absent for embedders). */
  labels?: string | string[];
  defaultScoreThreshold?: number;
  /** Pose models: keypoints per object and values per keypoint (x, y[, visibility]). */
  keypoints?: { count: number; dims: number };
  /** Clip classifiers: frames per clip. */
  clipFrames?: number;
  /** Clip classifiers: frames per second the model takes (never proposed: the file does not say; set by hand). */
  clipFps?: number;
  /** Clip classifiers: whether the output is logits or already probabilities. */
  outputs?: ClipOutputs;
  /** Clip classifiers: the label a rule watches (proposed for two-class outputs only). */
  positiveLabel?: string;
  /** Embedders: length of one embedding. */
  embeddingDim?: number;
  licence: string;
  url: string | null;
  /** Filled in by whoever has the file's bytes (the `models inspect` command does). */
  sha256: string | null;
  sizeBytes?: number;
}

/** A proposed manifest and what was inferred or guessed to make it. */
export interface Proposal {
  readonly manifest: ProposedManifest;
  /** One line per inference or guess, for the person who completes the manifest. */
  readonly notes: readonly string[];
}

const SUPPORTED_LAYOUTS =
  'supported layouts: one image input [B,3,H,W] with a YOLOX raw output [1,N,5+C] (N = anchors of strides 8/16/32), ' +
  'an Ultralytics detection output [1,4+C,N], an Ultralytics pose output [1,4+C+K*D,N] (kpt_shape metadata), ' +
  'an end-to-end detection output [1,N,6] (x1,y1,x2,y2,score,class), DETR-style outputs boxes [1,N,4] + logits [1,N,C] ' +
  '(or one [1,N,4+C] with task=detect metadata), or an embedding output [B,D]; ' +
  'or one clip input [B,3,T,H,W], [B,T,3,H,W] or [B,T,H,W,3] with a class-score output [B,K]';

const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] } as const;
// PyTorchVideo's Kinetics normalisation (X3D, SlowFast, MViT exports).
const KINETICS = { mean: [0.45, 0.45, 0.45], std: [0.225, 0.225, 0.225] } as const;
// Keras/TensorFlow video models usually take 0-1 values without mean/std.
const UNIT = { mean: [0, 0, 0], std: [1, 1, 1] } as const;

type Dims = readonly (number | string)[];
const fmt = (dims: Dims): string => `[${dims.join(',')}]`;
const isPositive = (d: number | string | undefined): d is number => typeof d === 'number' && d > 0;

/** Parses Ultralytics `names` metadata: a Python dict literal `{0: 'person', ...}`, a list literal, or the JSON forms. */
export function parseNamesLiteral(text: string): string[] {
  let pos = 0;
  const fail = (expected: string): never => {
    throw new Error(`expected ${expected} at character ${pos} of the names literal, got ${pos < text.length ? JSON.stringify(text.slice(pos, pos + 12)) : 'the end'}`);
  };
  const ws = () => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  const str = (): string => {
    if (text[pos] === 'u' || text[pos] === 'r') pos++;
    const quote = text[pos];
    if (quote !== "'" && quote !== '"') return fail('a quoted string');
    let out = '';
    for (pos++; pos < text.length && text[pos] !== quote; pos++) {
      if (text[pos] !== '\\') {
        out += text[pos];
        continue;
      }
      const c = text[++pos];
      const hex = (n: number) => {
        const h = text.slice(pos + 1, pos + 1 + n);
        if (!/^[0-9a-fA-F]+$/.test(h) || h.length !== n) fail(`${n} hex digits`);
        pos += n;
        return String.fromCodePoint(parseInt(h, 16));
      };
      if (c === 'x') out += hex(2);
      else if (c === 'u') out += hex(4);
      else if (c === 'U') out += hex(8);
      else out += c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c === undefined ? fail('an escaped character') : c;
    }
    if (pos >= text.length) fail(`a closing ${quote}`);
    pos++;
    return out;
  };
  const key = (): number => {
    const quoted = text[pos] === "'" || text[pos] === '"';
    const raw = quoted ? str() : (/^\d+/.exec(text.slice(pos))?.[0] ?? fail('a class index'));
    if (!quoted) pos += raw.length;
    if (!/^\d+$/.test(raw)) fail('a class index');
    return Number(raw);
  };
  const entries: [number, string][] = [];
  ws();
  const open = text[pos];
  if (open !== '{' && open !== '[') fail('"{" or "["');
  const close = open === '{' ? '}' : ']';
  pos++;
  for (ws(); text[pos] !== close; ws()) {
    let index = entries.length;
    if (open === '{') {
      index = key();
      ws();
      if (text[pos] !== ':') fail('":"');
      pos++;
      ws();
    }
    entries.push([index, str()]);
    ws();
    if (text[pos] === ',') pos++;
    else if (text[pos] !== close) fail(`"," or "${close}"`);
  }
  pos++;
  ws();
  if (pos < text.length) fail('the end');
  const names: string[] = [];
  for (const [i, name] of entries) names[i] = name;
  return Array.from(names, (n, i) => n ?? `class${i}`);
}

/** The hints Ultralytics (and similar exporters) leave in the metadata. */
interface Hints {
  readonly task?: string;
  readonly names?: string[];
  /** [height, width] */
  readonly imgsz?: [number, number];
  readonly kptShape?: [number, number];
  /** Largest stride of the detection heads. */
  readonly stride?: number;
  readonly licence?: string;
}

const integers = (s: string): number[] => (s.match(/\d+/g) ?? []).map(Number);

function readHints(meta: Readonly<Record<string, string>>, notes: string[]): Hints {
  const hints: { -readonly [K in keyof Hints]: Hints[K] } = {};
  if (meta['task']) hints.task = meta['task'].trim().toLowerCase();
  if (meta['names'] !== undefined) {
    try {
      hints.names = parseNamesLiteral(meta['names']);
    } catch (err) {
      notes.push(`metadata names could not be parsed (${(err as Error).message}); labels were not taken from it`);
    }
  }
  const size = integers(meta['imgsz'] ?? '');
  if (size.length === 1) hints.imgsz = [size[0]!, size[0]!];
  if (size.length === 2) hints.imgsz = [size[0]!, size[1]!];
  const kpt = integers(meta['kpt_shape'] ?? '');
  if (kpt.length === 2 && kpt[0]! > 0 && kpt[1]! > 0) hints.kptShape = [kpt[0]!, kpt[1]!];
  const stride = integers(meta['stride'] ?? '');
  if (stride.length === 1) hints.stride = stride[0]!;
  const licence = meta['license'] ?? meta['licence'];
  // Ultralytics writes "AGPL-3.0 License (https://ultralytics.com/license)"; the catalog keeps the SPDX id.
  if (licence) hints.licence = /^([A-Za-z0-9.+-]+) License\b/.exec(licence.trim())?.[1] ?? licence.trim();
  return hints;
}

/** A lower-case id that `ModelManifestSchema` accepts, from a file name. */
function idFromFile(file: string): string {
  const id = file
    .replace(/\.onnx$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .replace(/-+$/, '');
  return id || 'model';
}

type Preprocessing = Pick<ProposedManifest, 'colorOrder' | 'pixelScale' | 'mean' | 'std' | 'letterbox' | 'padValue'>;
const ULTRALYTICS_PRE: Preprocessing = { colorOrder: 'rgb', pixelScale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1], letterbox: 'center', padValue: 114 };
const YOLOX_PRE: Preprocessing = { colorOrder: 'bgr', pixelScale: 1, mean: [0, 0, 0], std: [1, 1, 1], letterbox: 'top-left', padValue: 114 };

/** The decoding half of a proposal: everything that depends on the output layout. */
type Decoding = Pick<ProposedManifest, 'task' | 'family'> &
  Preprocessing &
  Partial<Pick<ProposedManifest, 'labels' | 'defaultScoreThreshold' | 'keypoints' | 'clipFrames' | 'outputs' | 'positiveLabel' | 'embeddingDim'>>;

class Unsupported extends Error {}

/** Image size from the input dims, the imgsz metadata, or (for anchor-grid outputs) the anchor count of a square input. */
function imageSize(h: number | string, w: number | string, hints: Hints, anchors: number | undefined, notes: string[]): { width: number; height: number } {
  if (isPositive(h) && isPositive(w)) {
    if (hints.imgsz && (hints.imgsz[0] !== h || hints.imgsz[1] !== w)) notes.push(`metadata imgsz ${hints.imgsz[1]}x${hints.imgsz[0]} differs from the input ${w}x${h}; the input wins`);
    return { width: w, height: h };
  }
  if (hints.imgsz) {
    notes.push(`the input size is dynamic; ${hints.imgsz[1]}x${hints.imgsz[0]} comes from the imgsz metadata`);
    return { width: hints.imgsz[1], height: hints.imgsz[0] };
  }
  // N = (s/8)^2 + (s/16)^2 + (s/32)^2 = s^2 * 21/1024 for a square input of side s.
  const side = anchors === undefined ? NaN : Math.round(Math.sqrt((anchors * 1024) / 21));
  if (anchors !== undefined && yoloxAnchorCount(side, side) === anchors) {
    notes.push(`the input size is dynamic and there is no imgsz metadata; ${side}x${side} is a guess from the ${anchors} anchors`);
    return { width: side, height: side };
  }
  throw new Unsupported(`the input size is dynamic (${h}x${w}) and there is no imgsz metadata to fix it`);
}

/** Labels for C classes: metadata names, else coco80 for 80 classes, else class0..class{C-1}. */
function labelsFor(classCount: number | undefined, hints: Hints, notes: string[]): string | string[] {
  if (hints.names) {
    if (classCount !== undefined && hints.names.length !== classCount) {
      notes.push(`metadata names has ${hints.names.length} labels but the output has ${classCount} classes; check the labels`);
    } else {
      notes.push(`labels: ${hints.names.length} names from the metadata (0: ${hints.names[0]})`);
      return hints.names;
    }
  }
  if (classCount === 80) {
    notes.push('labels: coco80, a guess from the 80 classes (no names metadata)');
    return 'coco80';
  }
  if (classCount === undefined) {
    notes.push('labels: coco80 is a guess; the output does not show the class count and there is no names metadata');
    return 'coco80';
  }
  notes.push(`labels: class0..class${classCount - 1} placeholders (no names metadata); replace them with the real names`);
  return Array.from({ length: classCount }, (_, i) => `class${i}`);
}

/** Decodes the layout of one image model (input [B,3,H,W]) from its outputs. */
function imageModel(input: OnnxTensorInfo, outputs: readonly OnnxTensorInfo[], hints: Hints, notes: string[]): Decoding & { width: number; height: number } {
  const [, , h, w] = input.dims as [unknown, unknown, number | string, number | string];
  const out = outputs[0]!;
  if (outputs.length === 1 && out.dims.length === 2) {
    const [, d] = out.dims;
    if (!isPositive(d)) throw new Unsupported(`the embedding length ${d} is not fixed`);
    if (hints.task && hints.task !== 'embed') throw new Unsupported(`the metadata says task ${hints.task}, which Sightline has no decoder for`);
    const size = imageSize(h, w, hints, undefined, notes);
    notes.push(`output ${fmt(out.dims)}: one ${d}-value embedding per image (a [B,D] output could also be class scores; check)`);
    notes.push('preprocessing: RGB, ImageNet mean/std, crop stretched to the input size, a guess (torchreid and most re-id exports)');
    if (size.width === 128 && size.height === 256) notes.push('256x128 is the usual person re-identification crop size');
    return { ...size, task: 'embed', family: 'embedder', colorOrder: 'rgb', pixelScale: 1 / 255, mean: [...IMAGENET.mean], std: [...IMAGENET.std], letterbox: 'none', padValue: 0, embeddingDim: d };
  }
  if (outputs.length === 2) return twoOutputDetr(outputs, h, w, hints, notes);
  if (outputs.length !== 1 || out.dims.length !== 3) throw new Unsupported('no known output layout matches');

  const [, a, b] = out.dims;
  // Ultralytics dynamic exports name the anchor dim; its size follows from the input size.
  const anchorsGuess = isPositive(b) && isPositive(a) ? (a > b ? a : b) : undefined;
  const size = imageSize(h, w, hints, anchorsGuess, notes);
  const anchors = yoloxAnchorCount(size.width, size.height);
  if (hints.stride !== undefined && hints.stride !== 32) notes.push(`metadata stride is ${hints.stride}, but anchors are counted on strides 8/16/32; check the output`);
  const n = typeof b === 'string' && isPositive(a) && hints.task ? anchors : b;
  if (typeof b === 'string' && n === anchors) notes.push(`output dim ${b} taken as the ${anchors} anchors of strides 8/16/32`);
  if (!isPositive(a) || !isPositive(n)) throw new Unsupported('the output dims are not fixed');

  if (hints.task === 'pose' || hints.kptShape) return { ...size, ...pose(a, n, anchors, hints, notes) };
  const match = matchDetectorLayout({ input: [1, 3, size.height, size.width], output: [1, a, n] });
  if (match.ok && match.family === 'yolox') {
    notes.push(`output ${fmt(out.dims)}: YOLOX raw grid (${anchors} anchors of strides 8/16/32 at ${size.width}x${size.height}, ${match.classCount} classes)`);
    notes.push('preprocessing: BGR 0-255 not normalised, letterbox top-left padded with 114, as the Megvii YOLOX export expects');
    return { ...size, task: 'detect', family: 'yolox', ...YOLOX_PRE, labels: labelsFor(match.classCount, hints, notes), defaultScoreThreshold: 0.3 };
  }
  if (match.ok) {
    if (hints.task && hints.task !== 'detect') throw new Unsupported(`the metadata says task ${hints.task}, which Sightline has no decoder for`);
    notes.push(`output ${fmt(out.dims)}: Ultralytics detection [1,4+C,N] with ${match.classCount} classes`);
    if (n !== anchors) notes.push(`N = ${n} differs from the ${anchors} anchors of strides 8/16/32 at ${size.width}x${size.height}; check the input size`);
    notes.push('preprocessing: RGB scaled to 0-1, letterbox centred padded with 114, as Ultralytics exports expect');
    return { ...size, task: 'detect', family: 'ultralytics', ...ULTRALYTICS_PRE, labels: labelsFor(match.classCount, hints, notes), defaultScoreThreshold: 0.3 };
  }
  if (n === 6 && a !== anchors) {
    notes.push(`output ${fmt(out.dims)}: end-to-end detection, ${a} rows of x1,y1,x2,y2,score,class in input pixels (NMS inside the model)`);
    notes.push('preprocessing: RGB scaled to 0-1, letterbox centred padded with 114, a guess (Ultralytics end-to-end exports)');
    return { ...size, task: 'detect', family: 'end2end', ...ULTRALYTICS_PRE, labels: labelsFor(undefined, hints, notes), defaultScoreThreshold: 0.3 };
  }
  if (hints.task === 'detect' && n > 4 && a !== anchors) {
    notes.push(`output ${fmt(out.dims)}: DETR-style queries, ${a} rows of cx,cy,w,h + ${n - 4} class scores (task=detect metadata)`);
    return { ...size, ...detrDecoding(n - 4, hints, notes) };
  }
  throw new Unsupported('no known output layout matches');
}

function pose(rows: number, n: number, anchors: number, hints: Hints, notes: string[]): Decoding {
  const [count, dims] = hints.kptShape ?? [17, 3];
  if (!hints.kptShape) notes.push('the metadata says task pose but has no kpt_shape; 17 keypoints of x,y,visibility is a guess (COCO)');
  const classCount = rows - 4 - count * dims;
  if (classCount < 1) throw new Unsupported(`a pose output [1,4+C+${count}*${dims},N] with C >= 1 was expected from kpt_shape [${count},${dims}]`);
  notes.push(`output [1,${rows},${n}]: Ultralytics pose, ${classCount} class${classCount === 1 ? '' : 'es'} and ${count} keypoints of ${dims} values per anchor`);
  if (n !== anchors) notes.push(`N = ${n} differs from the ${anchors} anchors of strides 8/16/32; check the input size`);
  notes.push('preprocessing: RGB scaled to 0-1, letterbox centred padded with 114, as Ultralytics exports expect');
  const labels = hints.names || classCount !== 1 ? labelsFor(classCount, hints, notes) : ['person'];
  if (!hints.names && classCount === 1) notes.push('labels: person, a guess for a one-class pose model');
  return { task: 'pose', family: 'ultralytics-pose', ...ULTRALYTICS_PRE, labels, defaultScoreThreshold: 0.3, keypoints: { count, dims } };
}

function detrDecoding(classCount: number, hints: Hints, notes: string[]): Decoding {
  notes.push('preprocessing: RGB scaled to 0-1 and stretched to the input size, a guess (Ultralytics RT-DETR); Hugging Face DETR exports use ImageNet mean/std instead');
  return { task: 'detect', family: 'detr', ...ULTRALYTICS_PRE, letterbox: 'none', labels: labelsFor(classCount, hints, notes), defaultScoreThreshold: 0.5 };
}

function twoOutputDetr(outputs: readonly OnnxTensorInfo[], h: number | string, w: number | string, hints: Hints, notes: string[]): Decoding & { width: number; height: number } {
  const rank3 = outputs.every((o) => o.dims.length === 3);
  const boxes = outputs.find((o) => o.dims[2] === 4);
  const logits = outputs.find((o) => o !== boxes);
  const c = logits?.dims[2];
  if (!rank3 || !boxes || !logits || !isPositive(c) || String(boxes.dims[1]) !== String(logits.dims[1])) {
    throw new Unsupported('two outputs, but not boxes [1,N,4] + logits [1,N,C] with the same N');
  }
  const size = imageSize(h, w, hints, undefined, notes);
  notes.push(`outputs: DETR-style, boxes from ${boxes.name} ${fmt(boxes.dims)} (cx,cy,w,h), ${c} class logits from ${logits.name} ${fmt(logits.dims)}`);
  notes.push('if the logits end with a "no object" class, drop the last label');
  return { ...size, ...detrDecoding(c, hints, notes) };
}

/** Whether a clip model's output is probabilities, guessed from its op types (the reader does not say which node makes the output). */
function clipOutputs(opTypes: readonly string[], notes: string[]): ClipOutputs {
  if (!opTypes.includes('Softmax')) {
    notes.push('outputs: logits (the graph has no Softmax node); Sightline applies softmax');
    return 'logits';
  }
  // Transformers use Softmax inside attention (MatMul), so there a Softmax says nothing about the output.
  if (opTypes.includes('MatMul') || opTypes.includes('com.microsoft:Attention')) {
    notes.push('outputs: logits, a guess: the graph has Softmax and MatMul (attention?), so whether it ends in Softmax cannot be told; set outputs to probabilities if it does');
    return 'logits';
  }
  notes.push('outputs: probabilities, a guess from the Softmax node in a graph without attention; set outputs to logits if the Softmax is not the last node');
  return 'probabilities';
}

function clipModel(input: OnnxTensorInfo, layout: ClipLayout, info: OnnxInfo, hints: Hints, notes: string[]): Decoding & { width: number; height: number } {
  const [, d1, d2, d3, d4] = input.dims;
  const [frames, h, w] = layout === 'ncthw' ? [d2, d3, d4] : layout === 'ntchw' ? [d1, d3, d4] : [d1, d2, d3];
  const out = info.outputs[0]!;
  if (info.outputs.length !== 1 || out.dims.length !== 2 || !isPositive(out.dims[1])) throw new Unsupported('a clip input needs one class-score output [B,K]');
  if (!isPositive(frames)) throw new Unsupported(`the clip length ${frames} is not fixed`);
  const size = imageSize(h!, w!, hints, undefined, notes);
  const k = out.dims[1];
  notes.push(`input ${fmt(input.dims)}: clips of ${frames} frames, ${layout.toUpperCase()}; output ${fmt(out.dims)}: ${k} class scores per clip`);
  const [norm, why] = layout === 'nthwc'
    ? [UNIT, 'RGB scaled to 0-1, frames stretched to the input size, a guess (Keras/TensorFlow frames-last models; one fed by OpenCV frames takes BGR)']
    : [KINETICS, 'RGB, mean 0.45 / std 0.225, frames stretched to the input size, a guess (PyTorchVideo Kinetics models)'];
  notes.push(`preprocessing: ${why}; check the model card`);
  const labels = labelsFor(k, hints, notes);
  const positiveLabel = k === 2 && Array.isArray(labels) ? labels[1]! : undefined;
  notes.push(positiveLabel ? `positiveLabel: ${positiveLabel}, a guess (two-class models usually put the watched class at index 1)` : 'positiveLabel: not set; name the class a rule watches');
  return {
    ...size,
    task: 'classify-clip',
    family: 'clip-classifier',
    colorOrder: 'rgb',
    pixelScale: 1 / 255,
    mean: [...norm.mean],
    std: [...norm.std],
    letterbox: 'none',
    padValue: 0,
    labels,
    defaultScoreThreshold: 0.5,
    clipFrames: frames,
    outputs: clipOutputs(info.opTypes, notes),
    ...(positiveLabel ? { positiveLabel } : {}),
  };
}

function inputLayout(dims: Dims): InputLayout | undefined {
  if (dims.length === 4 && dims[1] === 3) return 'nchw';
  if (dims.length === 5 && dims[1] === 3) return 'ncthw';
  if (dims.length === 5 && dims[2] === 3) return 'ntchw';
  if (dims.length === 5 && dims[4] === 3) return 'nthwc';
  return undefined;
}

/** Proposes a model manifest from what an ONNX file says about itself (pure); unknown layouts throw MODEL_LAYOUT_UNSUPPORTED. */
export function proposeManifest(info: OnnxInfo, fileName: string): Proposal {
  const file = fileName.split(/[\\/]/).pop() ?? fileName;
  const notes: string[] = [];
  const hints = readHints(info.metadata, notes);
  const input = info.inputs[0];
  const saw =
    `saw input${info.inputs.length === 1 ? '' : 's'} ${info.inputs.map((i) => fmt(i.dims)).join(', ') || '(none)'} and ` +
    `output${info.outputs.length === 1 ? '' : 's'} ${info.outputs.map((o) => fmt(o.dims)).join(', ') || '(none)'}`;
  const unsupported = (reason: string) => new AppError('MODEL_LAYOUT_UNSUPPORTED', `${file}: ${saw}; ${reason}; ${SUPPORTED_LAYOUTS}`);
  if (!input || info.inputs.length !== 1) throw unsupported('expected exactly one input');
  if (info.outputs.length === 0) throw unsupported('expected at least one output');
  const layout = inputLayout(input.dims);
  if (!layout) throw unsupported('the input is neither an image [B,3,H,W] nor a clip [B,3,T,H,W] / [B,T,3,H,W] / [B,T,H,W,3]');
  if (input.elemType !== 'float32') notes.push(`the input is ${input.elemType}, not float32; Sightline feeds float32 tensors`);
  let decoding: Decoding & { width: number; height: number };
  try {
    decoding = layout === 'nchw' ? imageModel(input, info.outputs, hints, notes) : clipModel(input, layout, info, hints, notes);
  } catch (err) {
    throw err instanceof Unsupported ? unsupported(err.message) : err;
  }
  const batch = input.dims[0];
  if (typeof batch === 'number' && batch !== 1) notes.push(`the batch size is fixed at ${batch}`);
  if (!hints.licence) notes.push('licence: unknown (no license metadata); fill it in');
  const { width, height, task, family, ...rest } = decoding;
  const manifest: ProposedManifest = {
    id: idFromFile(file),
    file,
    task,
    family,
    inputLayout: layout,
    inputWidth: width,
    inputHeight: height,
    ...rest,
    licence: hints.licence ?? 'unknown',
    url: null,
    sha256: null,
  };
  return { manifest, notes };
}
