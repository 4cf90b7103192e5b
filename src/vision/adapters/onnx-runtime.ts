import { readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { AppError, errorMessage } from '../../core/errors.ts';
import type { RawOutput } from '../decoders/decoder.ts';
import type { ExecutionProvider, ModelRunner, RunnerOptions } from '../model-runner.ts';

const WORKER = new URL('./onnx-worker.mjs', import.meta.url);

interface Ready {
  readonly type: 'ready';
  readonly provider: ExecutionProvider;
  readonly providerFallback?: string;
  readonly inputDims: (number | string)[];
  readonly outputDims: (number | string)[];
}

/**
 * Loads an ONNX file as a ModelRunner. The session lives in its own worker thread (`onnx-worker.mjs`, the only file
 * that imports onnxruntime-node), so inference never blocks the main thread; inputs backed by a SharedArrayBuffer
 * reach it without a copy, outputs come back transferred.
 */
export async function loadOnnxModel(path: string, opts: RunnerOptions): Promise<ModelRunner> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new AppError('MODEL_LOAD_FAILED', `cannot read model file ${path}: ${errorMessage(err)}`, { cause: err });
  }
  const worker = new Worker(WORKER, { workerData: { bytes, threads: opts.threads, provider: opts.provider ?? 'cpu', spinning: opts.spinning ?? false } });
  const pending = new Map<number, { resolve: (o: RawOutput) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let dead: Error | null = null;
  const ready = new Promise<Ready>((resolve, reject) => {
    worker.once('message', (m: Ready | { type: 'failed'; message: string }) => {
      if (m.type === 'ready') resolve(m);
      else {
        reject(
          new AppError(
            'MODEL_LOAD_FAILED',
            `expected an ONNX model in ${path}, but the runtime could not load it (${m.message}); ` +
              'check that the file is a complete .onnx export, or re-download it',
          ),
        );
      }
    });
    worker.once('error', reject);
  });
  const fail = (err: Error) => {
    dead ??= err;
    for (const p of pending.values()) p.reject(new AppError('MODEL_LOAD_FAILED', `the inference worker of ${path} failed: ${dead.message}`));
    pending.clear();
  };
  worker.on('error', fail);
  // After close, or if the worker dies without an error event: nothing pending may wait forever.
  worker.on('exit', (code) => fail(new Error(`the worker exited with code ${code}`)));
  let info: Ready;
  try {
    info = await ready;
  } catch (err) {
    await worker.terminate();
    throw err instanceof AppError ? err : new AppError('MODEL_LOAD_FAILED', `cannot start inference for ${path}: ${errorMessage(err)}`, { cause: err });
  }
  worker.on('message', (m: { id: number; data?: Float32Array; dims?: number[]; error?: string }) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.error !== undefined) p.reject(new Error(`inference failed for ${path}: ${m.error}`));
    else p.resolve({ data: m.data!, dims: m.dims! });
  });
  // An idle worker must not keep the process alive.
  worker.unref();
  return {
    provider: info.provider,
    ...(info.providerFallback ? { providerFallback: `${info.providerFallback}; running on cpu` } : {}),
    inputDims: info.inputDims,
    outputDims: info.outputDims,
    run(data, dims) {
      if (dead) return Promise.reject(new AppError('MODEL_LOAD_FAILED', `the inference worker of ${path} failed: ${dead.message}`));
      const id = nextId++;
      return new Promise<RawOutput>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        if (pending.size === 1) worker.ref();
        worker.postMessage({ id, data, dims });
      }).finally(() => {
        if (pending.size === 0) worker.unref();
      });
    },
    async close() {
      const exited = new Promise((r) => worker.once('exit', r));
      worker.postMessage({ type: 'close' });
      const timer = setTimeout(() => void worker.terminate(), 2000);
      await exited;
      clearTimeout(timer);
    },
  };
}
