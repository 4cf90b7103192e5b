import type { Candidate } from '../nms.ts';

/** Raw model output: a flat float buffer and its dimensions. */
export interface RawOutput {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** Options shared by every detection decoder. */
export interface DecodeOptions {
  /** Candidates scoring below this (0..1) are dropped before NMS. */
  readonly scoreThreshold: number;
  /** When set, only classes with `allowedClasses[classId] === 1` are kept. */
  readonly allowedClasses?: Uint8Array;
}

/** Turns a raw output tensor into candidates in model-input pixels. */
export type DetectionDecoder = (output: RawOutput, opts: DecodeOptions) => Candidate[];
