import type { RawOutput } from './decoders/decoder.ts';

/** Port to an inference runtime: one loaded model that maps an input tensor to its first output. */
export interface ModelRunner {
  /** Dims of the first input as the model declares them (dynamic dims as names or -1). */
  readonly inputDims: readonly (number | string)[];
  /** Dims of the first output as the model declares them. */
  readonly outputDims: readonly (number | string)[];
  /** Runs the model on a float32 NCHW tensor with the given dims. */
  run(input: Float32Array, dims: readonly number[]): Promise<RawOutput>;
  /** Releases the session. */
  close(): Promise<void>;
  /** The execution provider the model runs on (`cpu`, `cuda`, `tensorrt`). */
  readonly provider?: ExecutionProvider;
  /** Why the requested provider was not used, when the runner fell back to the CPU. */
  readonly providerFallback?: string;
}

/** Execution providers a model can ask for; `cpu` exists everywhere. */
export type ExecutionProvider = 'cpu' | 'cuda' | 'tensorrt';

/** Options for loading a model into a runtime. */
export interface RunnerOptions {
  /** Threads for one inference (onnxruntime intraOpNumThreads); 0 = runtime default. */
  readonly threads: number;
  /** Provider to try first; when the runtime cannot use it, the model runs on the CPU and says why. Default cpu. */
  readonly provider?: ExecutionProvider;
  /** Let the runtime's threads spin-wait between calls (onnxruntime's default); default false: they sleep. */
  readonly spinning?: boolean;
}

/** Loads a model file into a runner; implemented by an adapter. */
export type ModelLoader = (path: string, opts: RunnerOptions) => Promise<ModelRunner>;
