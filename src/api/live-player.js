// Sightline's live player (served as /live-player.js): a camera's fragmented MP4 over the WebSocket at
// /api/cameras/:id/live into Media Source Extensions, with tracks and zones drawn on a canvas in sync with the video's
// presentation time. Without MSE (or a codec the browser cannot play) it falls back to the MJPEG stream.

/** Seconds behind the newest buffered frame beyond which the player jumps back to the live edge. */
const MAX_LAG_S = 0.8;
/** Seconds of video kept behind the playhead. */
const KEEP_BEHIND_S = 20;

/**
 * Starts a live view of `cameraId` inside `container` (which gets a video or image and an overlay canvas).
 * Returns `{ stats, stop() }`; `stats` counts fragments, metadata messages and the mode (`mse` or `mjpeg`).
 */
export function startLive(container, cameraId) {
  const id = encodeURIComponent(cameraId);
  const stats = { mode: 'connecting', fragments: 0, tracksMessages: 0, lastPts: null, inits: 0, error: null };
  container.style.position = 'relative';
  const video = document.createElement('video');
  Object.assign(video, { muted: true, autoplay: true, playsInline: true });
  video.style.cssText = 'width:100%;display:block;background:#000;border-radius:4px';
  const canvas = document.createElement('canvas');
  canvas.style.cssText = 'position:absolute;inset:0;width:100%;height:100%;pointer-events:none';
  container.replaceChildren(video, canvas);

  let zones = [];
  let lines = [];
  const tracks = []; // tracks messages, oldest first
  let latestTracks = null;
  let ws = null;
  let stopped = false;
  let ms = null;
  let sb = null;
  let queue = [];
  let expectInit = false;
  let mime = null;

  const mse = typeof MediaSource !== 'undefined';

  function fallback(reason) {
    if (stats.mode === 'mjpeg') return;
    stats.mode = 'mjpeg';
    stats.error = reason;
    const img = document.createElement('img');
    img.style.cssText = video.style.cssText;
    img.src = `/api/cameras/${id}/live.mjpeg`;
    img.alt = `${cameraId} (MJPEG: ${reason})`;
    video.replaceWith(img);
  }

  function newSource(type) {
    mime = type;
    queue = [];
    sb = null;
    ms = new MediaSource();
    const old = video.src;
    video.src = URL.createObjectURL(ms);
    if (old) URL.revokeObjectURL(old);
    ms.addEventListener('sourceopen', () => {
      try {
        sb = ms.addSourceBuffer(type);
        sb.mode = 'segments';
        sb.addEventListener('updateend', pump);
        pump();
      } catch (err) {
        fallback(`cannot play ${type}: ${err.message}`);
      }
    }, { once: true });
  }

  function pump() {
    if (!sb || sb.updating || queue.length === 0) return;
    const b = sb.buffered;
    if (b.length > 0) {
      const end = b.end(b.length - 1);
      if (end - video.currentTime > MAX_LAG_S) video.currentTime = Math.max(b.start(b.length - 1), end - 0.1);
      if (video.currentTime - b.start(0) > KEEP_BEHIND_S * 2) {
        sb.remove(b.start(0), video.currentTime - KEEP_BEHIND_S);
        return;
      }
    }
    try {
      sb.appendBuffer(queue.shift());
    } catch (err) {
      if (err.name === 'QuotaExceededError') queue = [];
      else fallback(`append failed: ${err.message}`);
      return;
    }
    if (video.paused) video.play().catch(() => undefined);
  }

  function onText(msg) {
    if (msg.type === 'init') {
      stats.inits++;
      if (!mse || !MediaSource.isTypeSupported(msg.mime)) return fallback(mse ? `${msg.mime} not supported` : 'no Media Source Extensions');
      stats.mode = 'mse';
      expectInit = true;
      newSource(msg.mime);
    } else if (msg.type === 'zones') {
      zones = msg.zones;
      lines = msg.lines ?? [];
    }
    else if (msg.type === 'tracks') {
      stats.tracksMessages++;
      stats.lastPts = msg.pts;
      latestTracks = msg;
      tracks.push(msg);
      while (tracks.length > 200) tracks.shift();
    } else if (msg.type === 'error' && msg.error.code === 'LIVE_DISABLED') fallback(msg.error.message);
  }

  function connect() {
    if (stopped) return;
    ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/cameras/${id}/live`);
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (m) => {
      if (typeof m.data === 'string') return onText(JSON.parse(m.data));
      if (stats.mode !== 'mse' || !mime) return;
      if (!expectInit) stats.fragments++;
      expectInit = false;
      queue.push(m.data);
      pump();
    };
    ws.onclose = () => { if (!stopped) setTimeout(connect, 2000); };
  }

  /** Tracks to show now: with MSE the newest message at or before the video's presentation time. */
  function current() {
    if (stats.mode !== 'mse') return latestTracks;
    const t = video.currentTime;
    let best = null;
    for (const m of tracks) if (m.pts !== null && m.pts <= t + 0.02) best = m;
    return best && t - best.pts < 1 ? best : null;
  }

  function draw() {
    if (stopped) return;
    const msg = current();
    const w = msg?.width ?? video.videoWidth ?? 0;
    const h = msg?.height ?? video.videoHeight ?? 0;
    if (w && h) {
      if (canvas.width !== w || canvas.height !== h) Object.assign(canvas, { width: w, height: h });
      const g = canvas.getContext('2d');
      g.clearRect(0, 0, w, h);
      g.lineWidth = Math.max(2, w / 320);
      g.strokeStyle = 'rgba(255,214,10,0.8)';
      for (const z of zones) {
        g.beginPath();
        z.polygon.forEach(([x, y], i) => (i ? g.lineTo(x * w, y * h) : g.moveTo(x * w, y * h)));
        g.closePath();
        g.stroke();
      }
      // Counting lines, with a tick on their inside (crossing towards it counts `in`).
      g.strokeStyle = 'rgba(255,55,95,0.9)';
      for (const l of lines) {
        g.beginPath();
        l.points.forEach(([x, y], i) => (i ? g.lineTo(x * w, y * h) : g.moveTo(x * w, y * h)));
        g.stroke();
        const [[ax, ay], [bx, by]] = l.points;
        const [mx, my] = [((ax + bx) / 2) * w, ((ay + by) / 2) * h];
        const [dx, dy] = [(bx - ax) * w, (by - ay) * h];
        const len = Math.hypot(dx, dy) || 1;
        const sign = l.in === 'left' ? -1 : 1; // right of a -> b on an image (y down) is (-dy, dx)
        g.beginPath();
        g.moveTo(mx, my);
        g.lineTo(mx - (sign * dy * 20) / len, my + (sign * dx * 20) / len);
        g.stroke();
      }
      g.strokeStyle = '#0af';
      g.fillStyle = '#0af';
      g.font = `${Math.max(12, Math.round(w / 50))}px sans-serif`;
      for (const t of msg?.tracks ?? []) {
        const [x1, y1, x2, y2] = t.boxXyxy;
        g.strokeRect(x1, y1, x2 - x1, y2 - y1);
        g.fillText(`${t.label} #${t.id}`, x1 + 2, Math.max(12, y1 - 3));
      }
    }
    requestAnimationFrame(draw);
  }

  connect();
  requestAnimationFrame(draw);
  return {
    stats,
    video,
    stop() {
      stopped = true;
      ws?.close();
    },
  };
}
