import { useEffect, useRef } from 'react';
import { LivePlayer } from '../live/player';

/** A camera's live video with its overlay; the player is exposed on the element for tests (`data-camera`). */
export function LiveTile({ cameraId, label }: { cameraId: string; label: string }) {
  const video = useRef<HTMLVideoElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const player = new LivePlayer(video.current!, canvas.current!, cameraId);
    (video.current as unknown as { sightlinePlayer?: LivePlayer }).sightlinePlayer = player;
    return () => player.stop();
  }, [cameraId]);
  return (
    <div className="live">
      <video ref={video} className="live-video" muted autoPlay playsInline aria-label={`Live video of ${label}`} data-camera={cameraId} />
      <canvas ref={canvas} className="live-overlay" aria-hidden="true" />
    </div>
  );
}
