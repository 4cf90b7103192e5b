import type { Keypoint } from '../../core/types.ts';
import type { LetterboxGeometry } from '../letterbox.ts';
import { nonMaxSuppression } from '../nms.ts';
import type { Candidate } from '../nms.ts';
import type { DecodeOptions, RawOutput } from './decoder.ts';

/** The 17 COCO keypoints, in the order pose models output them. */
export const COCO_KEYPOINT_NAMES = Object.freeze([
  'nose',
  'left_eye',
  'right_eye',
  'left_ear',
  'right_ear',
  'left_shoulder',
  'right_shoulder',
  'left_elbow',
  'right_elbow',
  'left_wrist',
  'right_wrist',
  'left_hip',
  'right_hip',
  'left_knee',
  'right_knee',
  'left_ankle',
  'right_ankle',
] as const);

export type { Keypoint } from '../../core/types.ts';

/** A detection candidate with its keypoints, in model-input pixels. */
export interface PoseCandidate extends Candidate {
  readonly keypoints: readonly Keypoint[];
}

/** Options of the pose decoder: detection options plus the keypoint count (metadata `kpt_shape[0]`, default 17). */
export interface PoseDecodeOptions extends DecodeOptions {
  readonly keypointCount?: number;
}

/**
 * Decodes an Ultralytics YOLOv8/YOLO11 pose output `[1, 4 + C + K*3, N]`: rows cx, cy, w, h (input pixels), C class
 * scores, then K (x, y, visibility) triplets per anchor; keeps anchors whose best class reaches the threshold.
 */
export function decodeUltralyticsPose(output: RawOutput, opts: PoseDecodeOptions): PoseCandidate[] {
  const k = opts.keypointCount ?? COCO_KEYPOINT_NAMES.length;
  const [batch, rows, n] = output.dims;
  const classes = (rows ?? 0) - 4 - k * 3;
  if (output.dims.length !== 3 || batch !== 1 || n === undefined || n < 1 || classes < 1 || output.data.length !== rows! * n) {
    throw new RangeError(
      `pose output: expected [1, 4 + C + ${k}*3, N] with C >= 1 (${k} keypoints), got [${output.dims.join(',')}] with ${output.data.length} values`,
    );
  }
  const { data } = output;
  // Class-major pass: each class row is read once, contiguously; a later class wins a tie, as in decodeUltralytics.
  const bestScore = new Float32Array(n).fill(-Infinity);
  const bestClass = new Int32Array(n).fill(-1);
  for (let c = 0; c < classes; c++) {
    if (opts.allowedClasses && !opts.allowedClasses[c]) continue;
    const row = data.subarray((4 + c) * n, (5 + c) * n);
    row.forEach((v, i) => {
      if (v >= opts.scoreThreshold && v >= bestScore[i]!) {
        bestScore[i] = v;
        bestClass[i] = c;
      }
    });
  }
  const at = (row: number, i: number) => data[row * n + i]!;
  const kptRow = 4 + classes;
  const out: PoseCandidate[] = [];
  bestClass.forEach((classId, i) => {
    if (classId < 0) return;
    const halfW = at(2, i) / 2;
    const halfH = at(3, i) / 2;
    const keypoints = Array.from({ length: k }, (_, j): Keypoint => {
      const r = kptRow + j * 3;
      return { x: at(r, i), y: at(r + 1, i), score: at(r + 2, i) };
    });
    const boxXyxy = [at(0, i) - halfW, at(1, i) - halfH, at(0, i) + halfW, at(1, i) + halfH] as const;
    out.push({ boxXyxy, score: bestScore[i]!, classId, keypoints });
  });
  return out;
}

/** Decodes a pose output and applies class-aware NMS; survivors keep their keypoints, sorted by score. */
export function decodePoseWithNms(output: RawOutput, opts: PoseDecodeOptions, iouThreshold: number, maxDetections = 300): PoseCandidate[] {
  return nonMaxSuppression(decodeUltralyticsPose(output, opts), iouThreshold, maxDetections);
}

/** Maps a point from model-input pixels back to frame pixels (the point form of `unletterboxBox`). */
export function unletterboxPoint(x: number, y: number, g: LetterboxGeometry): { x: number; y: number } {
  return { x: (x - g.padX) / g.scale, y: (y - g.padY) / g.scale };
}

/** Maps keypoints from model-input pixels back to frame pixels; scores are unchanged. */
export function unletterboxKeypoints(keypoints: readonly Keypoint[], g: LetterboxGeometry): Keypoint[] {
  return keypoints.map((p) => ({ ...unletterboxPoint(p.x, p.y, g), score: p.score }));
}
