import type { CameraConfig } from '../config/schema.ts';
import { clampBox } from '../core/geometry.ts';
import { frameRgb, type Detection, type Frame, type Track } from '../core/types.ts';
import { EventBook, type EventChange } from '../events/event-book.ts';
import { buildRules, cameraGeometry } from '../rules/build.ts';
import { RuleEngine } from '../rules/engine.ts';
import type { Crossing } from '../rules/line-crossing.ts';
import type { Tracker } from '../tracking/tracker.ts';
import { greyThumbnail, type GreyImage } from '../motion/grey-thumbnail.ts';
import { ImageShiftEstimator } from '../motion/image-shift.ts';
import { NO_MOTION, type CameraMotion } from '../tracking/camera-motion.ts';
import { DEFAULT_MOTION, MotionDetector } from '../motion/motion-detector.ts';
import type { DetectTimings } from '../vision/detector.ts';
import type { FrameDetector } from './shared-detector.ts';
import { TRACKER_LOW_SCORE } from './tracker-options.ts';
import { posesOfTracks } from './track-poses.ts';
import { ClipStage, type ClipClassifierPort } from './clip-stage.ts';
import { ViolenceRule } from '../rules/violence.ts';
import type { RuleFrame } from '../rules/rule.ts';
import { detectTiling } from './tracker-options.ts';

/** What one frame produced. */
export interface FrameResult {
  readonly frame: Frame;
  readonly detections: readonly Detection[];
  /** Confirmed tracks only. */
  readonly tracks: readonly Track[];
  readonly changes: readonly EventChange[];
  /** Crossings of the camera's lines in this frame (every tracked label). */
  readonly crossings: readonly Crossing[];
  /** Objects in each of the camera's zones. */
  readonly zoneCounts: readonly { readonly zoneId: string; readonly count: number }[];
  /** Whether the object detector ran on this frame (false: no motion and nothing tracked). */
  readonly detected: boolean;
  /** Whether the motion detector saw motion in this frame; null when motion detection is off. */
  readonly motion: boolean | null;
}

/** Width of the grey picture motion is computed on, in pixels. */
export const MOTION_WIDTH = 160;

/** Counters of one camera's analysis. */
export interface ProcessorStats {
  /** Frames given to `process`. */
  frames: number;
  /** Frames in which the motion detector saw motion. */
  framesWithMotion: number;
  /** Frames sent to the object detector (motion, tracked objects, or gating off). */
  detectorCalls: number;
  /** Frames the motion gate kept from the detector. */
  framesSkipped: number;
}

/**
 * One camera's analysis chain: motion gate -> detector -> tracker -> rules -> events. Run by the camera worker (live,
 * offline and in the benchmarks). With motion gating on, a frame without motion while nothing is tracked skips the
 * detector (the tracker and the rules still see the frame, so time moves on).
 */
export class CameraProcessor {
  private ruleEngine: RuleEngine;
  readonly events: EventBook;
  readonly timings: DetectTimings = { preMs: 0, runMs: 0, postMs: 0 };
  readonly stats: ProcessorStats = { frames: 0, framesWithMotion: 0, detectorCalls: 0, framesSkipped: 0 };
  private readonly motion: MotionDetector | null;
  private thumbnail: Uint8Array | undefined;
  private greyOf: { index: number; timeMs: number; image: GreyImage } | null = null;
  /** The camera-motion estimate (`detect.cameraMotion`): keeps the previous frame's spectrum. */
  private shifts: ImageShiftEstimator | null = null;

  /** The violence rule's clip stage; null without a violence rule or a clip classifier. */
  readonly clip: ClipStage | null;
  private lastRuleFrame: RuleFrame | null = null;
  /** Detections started ahead of their frame's turn (`detectAhead`), by frame. */
  private ahead: { frame: Frame; detections: Promise<Detection[] | null> }[] = [];

  constructor(
    private camera: CameraConfig,
    private detector: FrameDetector,
    private readonly tracker: Tracker,
    newId: () => string,
    clip: { readonly classifier: ClipClassifierPort; readonly label: string; readonly wait: boolean; readonly onError: (err: unknown) => void } | null = null,
  ) {
    this.ruleEngine = new RuleEngine(buildRules(camera), cameraGeometry(camera));
    const violence = this.ruleEngine.rules.find((r): r is ViolenceRule => r instanceof ViolenceRule);
    const config = camera.rules.find((r) => r.type === 'violence');
    this.clip = violence && clip
      ? new ClipStage(clip.classifier, violence, {
          label: clip.label, wait: clip.wait, onError: clip.onError,
          strideFrames: config?.strideFrames ?? Math.max(1, Math.round(clip.classifier.spec.clipFrames / 2)),
        })
      : null;
    this.events = new EventBook(camera.id, newId);
    const m = camera.motion;
    this.motion = m.enabled ? new MotionDetector({ ...DEFAULT_MOTION, threshold: m.threshold, minArea: m.minArea, masks: m.mask }) : null;
  }

  /** The camera's rules and geometry counters in force. */
  get rules(): RuleEngine {
    return this.ruleEngine;
  }

  /**
   * Puts a changed camera's zones, lines and rules in force from the next frame (the detector, tracker and clip stage
   * stay). A rule whose configuration, zone, line, labels and timing are all unchanged keeps its state and its open
   * episodes; the others end theirs (`stopped`) at `timeMs`, returned as event changes. Violence rules must be
   * unchanged (their clip classifier is the worker's): restart the camera for those.
   */
  replaceRules(camera: CameraConfig, timeMs: number, frameIndex: number): EventChange[] {
    const oldKeys = ruleKeys(this.camera);
    const newKeys = ruleKeys(camera);
    const built = buildRules(camera);
    const old = this.ruleEngine.rules;
    const kept = new Set<number>();
    const rules = built.map((rule, i) => {
      const j = oldKeys.findIndex((k, jj) => k === newKeys[i] && !kept.has(jj));
      if (j < 0) return rule;
      kept.add(j);
      return old[j]!;
    });
    const ended = old.flatMap((rule, j) => (kept.has(j) ? [] : rule.flush(timeMs).map((hit) => ({ rule, hit }))));
    this.ruleEngine = new RuleEngine(rules, cameraGeometry(camera));
    this.camera = camera;
    this.ahead = []; // started with the old labels and settings
    return this.events.apply(ended, frameIndex);
  }

  /**
   * Runs another model from the next frame on (the tracker, its tracks and open events stay). Frames whose
   * source-scaled picture was made for the old model's input go to the new one without it (it letterboxes them itself).
   */
  replaceDetector(next: FrameDetector): void {
    this.ahead = [];
    const old = this.detector;
    const spec = (d: FrameDetector, w: number, h: number) => JSON.stringify(d.detectorImageSpec?.(w, h) ?? null);
    this.detector = {
      manifest: next.manifest,
      ...(next.detectorImageSpec ? { detectorImageSpec: next.detectorImageSpec } : {}),
      detect: (frame, opts, timings) => {
        const fits = frame.detectorImage === undefined || spec(old, frame.width, frame.height) === spec(next, frame.width, frame.height);
        const { detectorImage: _, ...bare } = frame;
        return next.detect(fits ? frame : bare, opts, timings);
      },
    };
  }

  /** The model in use. */
  get model(): FrameDetector['manifest'] {
    return this.detector.manifest;
  }

  /**
   * Whether every frame is detected whatever it shows (no motion gate), so a frame's detection can start before its
   * turn: offline sources (`analyze`, jobs) start the next frame's while this one is tracked (`detectAhead`).
   */
  get detectsEveryFrame(): boolean {
    return this.motion === null;
  }

  /**
   * Starts detecting `frame` now, ahead of `process(frame)`, which then takes the result: the model works on the next
   * frame while the main thread tracks and evaluates this one. Only with `detectsEveryFrame`; frames must come to
   * `process` in the order they were started. A failed detection fails that frame's `process`.
   */
  detectAhead(frame: Frame): void {
    if (!this.detectsEveryFrame || this.ahead.some((a) => a.frame === frame)) return;
    const detections = this.startDetection(frame);
    detections.catch(() => undefined); // awaited, and its error reported, by process()
    this.ahead.push({ frame, detections });
  }

  private startDetection(frame: Frame): Promise<Detection[] | null> {
    // Through a promise even if a detector throws at once: a detection started ahead must never throw in the loop.
    return Promise.resolve().then(() => this.detector.detect(frame, { labels: this.camera.objects.track, scoreThreshold: TRACKER_LOW_SCORE, tiling: detectTiling(this.camera) }, this.timings));
  }

  /** Runs the chain on one frame; null when the detector skipped it for a newer frame of this camera. */
  async process(frame: Frame): Promise<FrameResult | null> {
    this.stats.frames++;
    const { detect, motion } = this.needsDetection(frame);
    // This frame's detection if it was started ahead (and any left from frames that never came here, dropped).
    const i = this.ahead.findIndex((a) => a.frame === frame);
    const started = i >= 0 ? this.ahead[i]!.detections : null;
    if (i >= 0) this.ahead.splice(0, i + 1);
    const detections = detect ? await (started ?? this.startDetection(frame)) : [];
    if (detections === null) return null;
    // Kalman boxes can run past the frame edge; everything downstream works in frame pixels.
    const tracks = this.tracker.update(detections, frame.timeMs, this.cameraMotion(frame)).map((t) => ({ ...t, boxXyxy: clampBox(t.boxXyxy, frame.width, frame.height) }));
    // A pose model as the detector: each matched track gets its detection's keypoints (the fall rule reads them).
    const poses = posesOfTracks(tracks, detections) ?? undefined;
    const ruleFrame: RuleFrame = { timeMs: frame.timeMs, frameIndex: frame.index, widthPx: frame.width, heightPx: frame.height, tracks, poses, clipScores: this.clip?.takeScores() };
    const out = this.ruleEngine.evaluate(ruleFrame);
    this.lastRuleFrame = ruleFrame;
    await this.clip?.afterFrame(frame);
    const changes = this.events.apply(out.hits, frame.index);
    return { frame, detections, tracks, changes, crossings: out.crossings, zoneCounts: out.zoneCounts, detected: detect, motion };
  }

  /**
   * How the picture moved since the previous frame, in frame pixels (`detect.cameraMotion`), from this frame's grey
   * picture and the previous one; undefined when the camera does not measure it.
   */
  private cameraMotion(frame: Frame): CameraMotion | undefined {
    if (!this.camera.detect.cameraMotion) return undefined;
    const grey = this.grey(frame);
    const shift = (this.shifts ??= new ImageShiftEstimator()).next(grey);
    if (shift.dx === 0 && shift.dy === 0) return NO_MOTION;
    return { scale: 1, dx: (shift.dx * frame.width) / grey.width, dy: (shift.dy * frame.height) / grey.height };
  }

  /** The frame's grey picture (made once per frame, for the motion gate and the camera-motion estimate). */
  private grey(frame: Frame): GreyImage {
    if (this.greyOf?.index === frame.index && this.greyOf.timeMs === frame.timeMs) return this.greyOf.image;
    const image = greyThumbnail(frameRgb(frame, 'the motion gate and camera motion'), frame.width, frame.height, MOTION_WIDTH, this.thumbnail);
    this.thumbnail = image.data;
    this.greyOf = { index: frame.index, timeMs: frame.timeMs, image };
    return image;
  }

  /** The motion gate: detect when gating is off, on motion, when the background was relearned, or while tracking. */
  private needsDetection(frame: Frame): { detect: boolean; motion: boolean | null } {
    let detect = true;
    let motion: boolean | null = null;
    if (this.motion) {
      const grey = this.grey(frame);
      const m = this.motion.update(grey);
      motion = m.motion;
      if (m.motion) this.stats.framesWithMotion++;
      detect = m.motion || m.relearned || this.tracker.activeTracks() > 0;
    }
    if (detect) this.stats.detectorCalls++;
    else this.stats.framesSkipped++;
    return { detect, motion };
  }

  /**
   * Ends all open events (at stop or end of video); `frameIndex` is the last frame analysed. Clip windows that finished
   * after the last frame reach the violence rule first, on that frame.
   */
  finish(timeMs: number, frameIndex: number): EventChange[] {
    const scores = this.clip?.takeScores();
    const late = scores && this.lastRuleFrame && this.clip ? this.clip.rule.evaluate({ ...this.lastRuleFrame, clipScores: scores }).map((hit) => ({ rule: this.clip!.rule, hit })) : [];
    return [...this.events.apply(late, frameIndex), ...this.events.apply(this.ruleEngine.flush(timeMs), frameIndex)];
  }
}

/**
 * Whether a camera's chain reads the whole picture of its frames (tiling, the motion gate, camera motion, a clip
 * model); without those the detector image is enough. Snapshots, the live view and re-id crops read it too: only an
 * offline analysis, which has none of them, decodes without it.
 */
export function needsWholePicture(camera: CameraConfig): boolean {
  return detectTiling(camera) !== 'off' || camera.motion.enabled || camera.detect.cameraMotion || camera.rules.some((r) => r.type === 'violence');
}

/**
 * What each of a camera's rules (in `buildRules` order) depends on, as text: equal keys mean the same behaviour, so a
 * rule may keep its state across a configuration change.
 */
function ruleKeys(camera: CameraConfig): string[] {
  const common = { events: camera.events, track: camera.objects.track };
  if (camera.rules.length === 0) {
    const zones = camera.zones.length === 0 ? [null] : camera.zones;
    return zones.map((zone) => JSON.stringify({ zone, ...common }));
  }
  return camera.rules.map((rule) => {
    const zoneId = 'zone' in rule ? rule.zone : undefined;
    const lineId = 'line' in rule ? rule.line : undefined;
    return JSON.stringify({
      rule, zone: camera.zones.find((z) => z.id === zoneId) ?? null, line: camera.lines.find((l) => l.id === lineId) ?? null, ...common,
    });
  });
}
