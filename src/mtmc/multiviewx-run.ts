/**
 * One MultiviewX time step through the real perception chain: each view's image -> person detector -> foot point on the
 * plan (calibration homography) -> crop quality and appearance embedding -> cross-view association, scored against the
 * global ids of the annotations. The image decoder, the detector and the embedder are ports handed in by the caller
 * (bench or test), so this module does no I/O of its own.
 */

import { frameRgb, type BoxXyxy, type Frame, type Point } from '../core/types.ts';
import { cropQuality, laplacianVariance, type CropQuality } from '../fusion/crop-quality.ts';
import { associateViews, type MultiViewOptions, type MultiViewResult } from '../fusion/multi-view.ts';
import { projectPoint } from '../mapping/matrix3.ts';
import { projectWorldPoint, type GroundMaps } from './calibrated-view.ts';
import { matchDetectionsToTruth, pairScores, type PairScores, type TruePersonInView } from './multiview-evaluation.ts';
import type { AnnotatedPerson, MultiviewXDataset, ViewCalibration } from './multiviewx.ts';

/** What the step needs from outside. */
export interface MultiviewXPorts {
  /** The image of `view` (0-based) at `step` (0-based), decoded to packed RGB. */
  readonly image: (view: number, step: number) => Promise<Frame>;
  /** Person boxes in frame pixels. */
  readonly detect: (frame: Frame) => Promise<readonly BoxXyxy[]>;
  /** One unit-length embedding per box. */
  readonly embed: (frame: Frame, boxes: readonly BoxXyxy[]) => Promise<Float32Array[]>;
}

/** One detection of one view, with everything the association and the scores need. */
export interface ObservedDetection {
  readonly view: number;
  readonly boxXyxy: BoxXyxy;
  /** Bottom centre of the box mapped to the plan, metres. */
  readonly positionM: Point;
  readonly uncertaintyM: number;
  /** Whether `positionM` lies on the annotated area (with the margin). */
  readonly onArea: boolean;
  /** The annotated person (global id) the detection is, null for none. */
  readonly truth: number | null;
  readonly embedding: Float32Array;
  readonly quality: CropQuality;
  readonly sharpness: number;
}

/** One step as seen by all views. */
export interface StepObservation {
  readonly step: number;
  readonly detections: readonly ObservedDetection[];
  /** Annotated persons in the step (the true count). */
  readonly truthCount: number;
  /** Per view: annotated boxes, and how many of them a detection was matched to. */
  readonly truthBoxes: readonly number[];
  readonly matchedBoxes: readonly number[];
}

/** Foot-point noise of a detector box's bottom edge, as a share of the box height, and its floor in pixels. */
const FOOT_NOISE_RATIO = 0.05;
const FOOT_NOISE_MIN_PX = 2;
/**
 * Detections whose foot point lies this far outside the annotated area are still on it. 0: people walk just outside
 * the area too (unannotated), and a margin lets as many of them in as it keeps people at the edge.
 */
const AREA_MARGIN_M = 0;

/**
 * Standard deviation in metres of the plan position of a box's foot point: the foot-point noise (5 % of the box height,
 * at least 2 px) carried to the plan through the homography at that spot, the larger of the image's two directions
 * (the depth direction, mostly: there a pixel covers the most ground).
 */
export function footUncertaintyM(imageToPlan: GroundMaps['imageToPlan'], boxXyxy: BoxXyxy): number {
  const sigmaPx = Math.max(FOOT_NOISE_MIN_PX, FOOT_NOISE_RATIO * (boxXyxy[3] - boxXyxy[1]));
  const x = (boxXyxy[0] + boxXyxy[2]) / 2, y = boxXyxy[3];
  const spread = (a: Point, b: Point): number => {
    const pa = projectPoint(imageToPlan, a), pb = projectPoint(imageToPlan, b);
    return pa && pb ? Math.hypot(pa[0] - pb[0], pa[1] - pb[1]) / 2 : Infinity;
  };
  return Math.max(spread([x, y - sigmaPx], [x, y + sigmaPx]), spread([x - sigmaPx, y], [x + sigmaPx, y]));
}

/** Height of the standing person the annotations' POM boxes are drawn for, metres. */
const PERSON_HEIGHT_M = 1.8;

/**
 * The annotated persons of `persons` in `view`, with their exact image foot points and heights from the calibration.
 * A person is in the view when the annotations give a box there, or when the projected feet and head both lie inside
 * the image: the annotations leave out some fully visible people (35 person-views over the 10 steps, mostly large ones
 * near the camera), which the detector finds and which must not count as false detections.
 */
export function truthInView(persons: readonly AnnotatedPerson[], view: number, cal: ViewCalibration, maps: GroundMaps, image: { widthPx: number; heightPx: number }): TruePersonInView[] {
  const out: TruePersonInView[] = [];
  for (const p of persons) {
    const footPx = projectPoint(maps.planToImage, p.positionM);
    const headPx = projectWorldPoint(cal, [p.positionM[0], p.positionM[1], PERSON_HEIGHT_M], maps.depthSign);
    if (!footPx || !headPx) continue;
    const inside = (q: Point) => q[0] >= 0 && q[1] >= 0 && q[0] < image.widthPx && q[1] < image.heightPx;
    if (p.boxesXyxy[view] || (inside(footPx) && inside(headPx))) out.push({ personId: p.personId, footPx, heightPx: Math.hypot(footPx[0] - headPx[0], footPx[1] - headPx[1]) });
  }
  return out;
}

/** Runs detection, mapping, gt matching, crop quality and embedding on every view of `step`. */
export async function observeStep(dataset: MultiviewXDataset, maps: readonly GroundMaps[], step: number, ports: MultiviewXPorts): Promise<StepObservation> {
  const detections: ObservedDetection[] = [];
  const truthBoxes: number[] = [], matchedBoxes: number[] = [];
  const persons = dataset.steps[step] ?? [];
  for (let view = 0; view < dataset.views.length; view++) {
    const frame = await ports.image(view, step);
    const boxes = await ports.detect(frame);
    const m = maps[view]!;
    const truth = truthInView(persons, view, dataset.views[view]!, m, { widthPx: frame.width, heightPx: frame.height });
    const ids = matchDetectionsToTruth(boxes, truth);
    truthBoxes.push(truth.length);
    matchedBoxes.push(ids.filter((id) => id !== null).length);
    const embeddings = await ports.embed(frame, boxes);
    boxes.forEach((box, i) => {
      const positionM = projectPoint(m.imageToPlan, [(box[0] + box[2]) / 2, box[3]]);
      if (!positionM) return; // at or above the horizon: not on the floor
      const onArea = positionM[0] >= -AREA_MARGIN_M && positionM[1] >= -AREA_MARGIN_M && positionM[0] <= dataset.areaWidthM + AREA_MARGIN_M && positionM[1] <= dataset.areaHeightM + AREA_MARGIN_M;
      const sharpness = laplacianVariance(frameRgb(frame, 'crop sharpness'), frame.width, frame.height, box);
      detections.push({
        view, boxXyxy: box, positionM, onArea,
        uncertaintyM: footUncertaintyM(m.imageToPlan, box),
        truth: ids[i] ?? null,
        embedding: embeddings[i]!,
        quality: cropQuality(boxes, i, { widthPx: frame.width, heightPx: frame.height }, {}, sharpness),
        sharpness,
      });
    });
  }
  return { step, detections, truthCount: persons.length, truthBoxes, matchedBoxes };
}

/** How appearance goes into the association: every crop's embedding, or only those of crops the quality filter keeps. */
export type EmbeddingUse = 'all' | 'kept';

/** One step's association and its scores. */
export interface StepAssociation {
  readonly result: MultiViewResult;
  /** The detections associated (those on the area), in the order of `result.personOf` flattened by view. */
  readonly detections: readonly ObservedDetection[];
  readonly pairs: PairScores;
  /** Persons found (the de-duplicated count). */
  readonly persons: number;
  /** Detections on the area summed over the views (the count without de-duplication). */
  readonly perCameraSum: number;
  readonly truthCount: number;
}

/** Associates the on-area detections of a step across views and scores the grouping against the truth. */
export function associateStep(obs: StepObservation, viewCount: number, options: Partial<MultiViewOptions>, use: EmbeddingUse = 'all'): StepAssociation {
  const onArea = obs.detections.filter((d) => d.onArea);
  const perView: ObservedDetection[][] = Array.from({ length: viewCount }, () => []);
  for (const d of onArea) perView[d.view]!.push(d);
  const result = associateViews(
    perView.map((dets) => dets.map((d) => ({ positionM: d.positionM, uncertaintyM: d.uncertaintyM, ...(use === 'all' || d.quality.keep ? { embedding: d.embedding } : {}) }))),
    options,
  );
  const ordered = perView.flat();
  const grouped = perView.flatMap((dets, v) => dets.map((d, i) => ({ view: v, group: result.personOf[v]![i]!, truth: d.truth })));
  return { result, detections: ordered, pairs: pairScores(grouped), persons: result.persons.length, perCameraSum: onArea.length, truthCount: obs.truthCount };
}
