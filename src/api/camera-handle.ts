/**
 * How the API reaches a camera: status, the newest frame, the live video and the mosaic grid, nothing else. A worker
 * in this process implements it (`pipeline/camera-worker.ts`), so does a camera that is not running
 * (`pipeline/placeholder-camera.ts`), and so could a camera running in another process.
 */
import type { CameraStatus } from '../core/camera-status.ts';
import type { MediaListener } from '../live/media-stream.ts';
import type { GridLayout } from '../mosaic/grid-detect.ts';

/** One camera as the API sees it. */
export interface CameraHandle {
  readonly id: string;
  status(): CameraStatus;
  /** The newest analysed frame as JPEG with its tracks drawn, or null before the first frame. */
  latestJpeg(): Promise<Uint8Array | null>;
  /** Subscribes to the live fragmented MP4; null when the camera has none. Returns the function that unsubscribes. */
  subscribeMedia(listener: MediaListener): (() => void) | null;
  /** The mosaic grid of the camera's recent frames (throws when there are too few yet). */
  grid(): GridLayout & { readonly frames: number; readonly width: number; readonly height: number };
  /** The camera's zones and lines, for overlays. */
  overlays(): {
    readonly zones: readonly { readonly id: string; readonly polygon: readonly (readonly [number, number])[] }[];
    readonly lines: readonly { readonly id: string; readonly points: readonly (readonly [number, number])[]; readonly in: 'left' | 'right' }[];
  };
}
