/**
 * The cameras as an API node sees them: each configured camera with the status its worker last reported in its
 * heartbeat, or offline with the reason when no live worker runs it; its newest frame and live video come from that
 * worker through `media` (a relay in `live/remote-media.ts`).
 */
import type { CameraHandle } from '../api/camera-handle.ts';
import type { CameraConfig } from '../config/schema.ts';
import type { CameraStatus } from '../core/camera-status.ts';
import { placeholderCamera } from '../pipeline/placeholder-camera.ts';
import type { MediaListener } from '../live/media-stream.ts';
import type { NodeRecord } from './cluster-store.ts';

/** Frames and live video of cameras that run on other nodes. */
export interface RemoteMediaPort {
  subscribe(cameraId: string, listener: MediaListener): () => void;
  latestJpeg(cameraId: string): Promise<Uint8Array | null>;
}

/** The internal URL of the live worker that reports running `cameraId` (the freshest report), or null. */
export function locateCamera(nodes: readonly NodeRecord[], cameraId: string): string | null {
  let best: NodeRecord | null = null;
  for (const n of nodes) {
    if (n.role !== 'worker' || !n.status.url || !(n.status.cameras ?? []).some((c) => c.id === cameraId)) continue;
    if (!best || n.ageMs < best.ageMs) best = n;
  }
  return best?.status.url ?? null;
}

export function remoteCameraHandles(cameras: readonly CameraConfig[], nodes: readonly NodeRecord[], media: RemoteMediaPort): CameraHandle[] {
  const reported = new Map<string, { status: CameraStatus; node: string; ageMs: number }>();
  for (const n of nodes) {
    if (n.role !== 'worker') continue;
    for (const s of n.status.cameras ?? []) {
      const seen = reported.get(s.id);
      if (!seen || n.ageMs < seen.ageMs) reported.set(s.id, { status: s as unknown as CameraStatus, node: n.id, ageMs: n.ageMs });
    }
  }
  const workers = nodes.filter((n) => n.role === 'worker').length;
  return cameras.map((cam) => {
    const r = reported.get(cam.id);
    if (!cam.enabled) return placeholderCamera(cam, 'disabled');
    if (!r) return placeholderCamera(cam, 'offline', workers === 0 ? 'no worker node is running (start one with `sightline serve --role worker`)' : `no worker runs it yet (${workers} worker${workers === 1 ? '' : 's'} alive); it is assigned within a few seconds`);
    const base = placeholderCamera(cam, r.status.state, r.status.lastError);
    return {
      ...base, status: () => r.status,
      latestJpeg: () => media.latestJpeg(cam.id),
      subscribeMedia: (listener: MediaListener) => (cam.live.enabled ? media.subscribe(cam.id, listener) : null),
    };
  });
}
