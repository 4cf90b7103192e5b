/**
 * Checks, once a camera's detector is loaded, that its rules get what they need from it: a fall rule that refuses the
 * box-only fallback needs a pose model as the detector. Pure; the message says how to fix it.
 */
import type { CameraConfig } from '../config/schema.ts';
import { AppError } from '../core/errors.ts';
import type { FrameModelManifest } from '../vision/detector.ts';

/** Throws CONFIG_INVALID when a rule of `camera` cannot run on a detector with `manifest`. */
export function checkDetectorForRules(camera: Pick<CameraConfig, 'id' | 'rules'>, manifest: Pick<FrameModelManifest, 'id' | 'task'>): void {
  for (const rule of camera.rules) {
    if (rule.type === 'fall' && !rule.fallback && manifest.task !== 'pose') {
      throw new AppError(
        'CONFIG_INVALID',
        `camera "${camera.id}": fall rule "${rule.id}" needs a pose model as the camera's detector (fallback: false), got ${manifest.id}, a detection model; ` +
          'set detect.model to a pose model (yolo11n-pose) or allow fallback: true (box shape only)',
      );
    }
  }
}

/** Throws CONFIG_INVALID when a violence camera analyses fewer frames per second than its clip classifier was trained on. */
export function checkClipRate(camera: Pick<CameraConfig, 'id' | 'detect'>, spec: { readonly clipFps?: number }, model: string): void {
  if (spec.clipFps !== undefined && camera.detect.fps < spec.clipFps - 1e-9) {
    throw new AppError(
      'CONFIG_INVALID',
      `camera "${camera.id}": clip classifier ${model} takes ${spec.clipFps} frames per second, the camera analyses ${camera.detect.fps} (detect.fps); ` +
        `set detect.fps to at least ${spec.clipFps}`,
    );
  }
}
