import { readFile } from 'node:fs/promises';
import ort from 'onnxruntime-node';
import { AppError, errorMessage } from '../../core/errors.ts';
import type { ModelRunner, RunnerOptions } from '../model-runner.ts';

/** The only place that imports onnxruntime-node: loads an ONNX file as a ModelRunner on the CPU provider. */
export async function loadOnnxModel(path: string, opts: RunnerOptions): Promise<ModelRunner> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new AppError('MODEL_LOAD_FAILED', `cannot read model file ${path}: ${errorMessage(err)}`, { cause: err });
  }
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      ...(opts.threads > 0 ? { intraOpNumThreads: opts.threads } : {}),
    });
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
