/**
 * One tile of a DVR mosaic as a `FrameSource`: each frame its mosaic camera analyses is cropped to the tile and queued
 * (newest wins), so the tile runs as a camera of its own (zones, tracker, rules, events) on the mosaic's one ffmpeg.
 */
import type { CameraStatus, SourceStatus } from '../core/camera-status.ts';
import type { Frame } from '../core/types.ts';
import { LatestQueue } from '../ingest/latest-queue.ts';
import { cropFrame } from '../mosaic/crop.ts';
import type { FrameSource } from './ports.ts';

/** What a tile needs of its mosaic camera. */
export interface MosaicParent {
  onFrame(fn: (frame: Frame) => void): () => void;
  status(): CameraStatus;
}

/** The tile `crop` ([x, y, width, height] fractions of the frame) of `parent`'s frames. */
export function tileFrameSource(parent: MosaicParent, crop: readonly [number, number, number, number]): FrameSource {
  const queue = new LatestQueue<Frame>();
  let untap: (() => void) | null = null;
  let stopped = false;
  let size: { width: number; height: number } | null = null;
  return {
    wallClock: true,
    start() {
      untap ??= parent.onFrame((frame) => {
        const tile = cropFrame(frame, crop);
        size = { width: tile.width, height: tile.height };
        queue.push(tile);
      });
    },
    next: async () => (await queue.next()) ?? null,
    async stop() {
      stopped = true;
      untap?.();
      queue.close();
    },
    status(): SourceStatus {
      const p = parent.status();
      // A tile shows its mosaic's source state.
      const state = stopped ? 'stopped' : p.state === 'disabled' ? 'offline' : p.state;
      return {
        state, lastError: p.lastError, framesDecoded: queue.offered, framesDropped: queue.dropped, restarts: p.restarts,
        fpsMeasured: p.fpsProcessed, width: size?.width ?? null, height: size?.height ?? null,
      };
    },
  };
}
