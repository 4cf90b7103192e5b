import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ort from 'onnxruntime-node';
import { AppError, errorMessage } from '../../core/errors.ts';
import type { ExecutionProvider, ModelRunner, RunnerOptions } from '../model-runner.ts';

/** The only place that imports onnxruntime-node: loads an ONNX file as a ModelRunner on the CPU provider. */
export async function loadOnnxModel(path: string, opts: RunnerOptions): Promise<ModelRunner> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new AppError('MODEL_LOAD_FAILED', `cannot read model file ${path}: ${errorMessage(err)}`, { cause: err });
  }
  let session: ort.InferenceSession;
  const create = (providers: ExecutionProvider[]) =>
    ort.InferenceSession.create(bytes, {
      executionProviders: providers,
      graphOptimizationLevel: 'all',
      ...(opts.threads > 0 ? { intraOpNumThreads: opts.threads } : {}),
    });
  const wanted = opts.provider ?? 'cpu';
  let provider: ExecutionProvider = 'cpu';
  let providerFallback: string | undefined;
  try {
    const missing = wanted === 'cpu' ? null : providerMissing(wanted);
    if (missing !== null) providerFallback = missing;
    if (wanted !== 'cpu' && missing === null) {
      try {
        session = await create([wanted, 'cpu']);
        provider = wanted;
      } catch (err) {
        providerFallback = `the ${wanted} execution provider failed to start (${errorMessage(err).split('\n')[0]})`;
        session = await create(['cpu']);
      }
    } else {
      session = await create(['cpu']);
    }
  } catch (err) {
    throw new AppError(
      'MODEL_LOAD_FAILED',
      `expected an ONNX model in ${path}, but the runtime could not load it (${errorMessage(err)}); ` +
        'check that the file is a complete .onnx export, or re-download it',
      { cause: err },
    );
  }
  const input = session.inputMetadata[0];
  const output = session.outputMetadata[0];
  const dimsOf = (m: (typeof session.inputMetadata)[number] | undefined): (number | string)[] =>
    m && m.isTensor ? m.shape.map((d) => (typeof d === 'number' ? d : String(d))) : [];
  const inputName = session.inputNames[0]!;
  const outputName = session.outputNames[0]!;
  return {
    provider,
    ...(providerFallback ? { providerFallback: `${providerFallback}; running on cpu` } : {}),
    inputDims: dimsOf(input),
    outputDims: dimsOf(output),
    async run(data, dims) {
      const result = await session.run({ [inputName]: new ort.Tensor('float32', data, dims) });
      const t = result[outputName]!;
      return { data: t.data as Float32Array, dims: t.dims };
    },
    async close() {
      await session.release();
    },
  };
}

/**
 * Why `provider` cannot be used by this onnxruntime-node install, or null when it may work: the backend must exist
 * in the build, and an unbundled one (CUDA, TensorRT) needs its provider library next to the runtime.
 */
function providerMissing(provider: ExecutionProvider): string | null {
  const backend = ort.listSupportedBackends().find((b) => b.name === provider);
  if (!backend) return `this onnxruntime-node build has no ${provider} execution provider`;
  if (backend.bundled) return null;
  const runtimeDir = join(dirname(createRequire(import.meta.url).resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', process.platform, process.arch);
  const lib = join(runtimeDir, `libonnxruntime_providers_${provider}.so`);
  return existsSync(lib) ? null : `the ${provider} execution provider library is not installed (${lib} is missing; install onnxruntime-node without onnxruntime-node-install=skip on a machine with a GPU)`;
}
