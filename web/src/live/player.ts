/**
 * One camera's live view: its fragmented MP4 over the WebSocket /api/cameras/:id/live into Media Source Extensions,
 * with the analysis drawn on a canvas for exactly the frame being presented (requestVideoFrameCallback gives each
 * presented frame's media time; the server stamps each tracks message with its frame's pts on the same timeline).
 * Falls back to the MJPEG stream without MSE or for a codec the browser cannot play. Reconnects by itself.
 */
import { reconnectDelayMs } from '../lib/backoff';
import { drawOverlay, messageForFrame, type LineShape, type TracksMessage, type ZoneShape } from './overlay';
import { PlayoutDelay } from './playout';
/** Seconds of video kept behind the playhead. */
const KEEP_BEHIND_S = 20;
/** Tracks messages kept at most (a stream whose frames stopped advancing); normally they are dropped by time. */
const KEEP_MESSAGES = 200;
/** How long a frame's boxes stay drawn on the frames after it when no newer analysis came (s). */
const HOLD_S = 1;

export interface LiveStats {
  mode: 'connecting' | 'mse' | 'mjpeg';
  fragments: number;
  tracksMessages: number;
  /** Frames drawn with the analysis of that very frame (pts within half a frame of the media time) / frames presented. */
  framesMatched: number;
  framesPresented: number;
  /** Last presented frame's media time and the pts of the message drawn on it (null: none matched). */
  lastMediaTime: number | null;
  lastDrawnPts: number | null;
  /** How far behind the live edge the video plays (s): the target (the analysis's lag) and the measured delay. */
  playoutTargetS: number;
  playoutDelayS: number | null;
  error: string | null;
}

type VideoWithFrames = HTMLVideoElement & {
  requestVideoFrameCallback?: (cb: (now: number, meta: { mediaTime: number }) => void) => number;
};

export class LivePlayer {
  readonly stats: LiveStats = { mode: 'connecting', fragments: 0, tracksMessages: 0, framesMatched: 0, framesPresented: 0, lastMediaTime: null, lastDrawnPts: null, playoutTargetS: 0, playoutDelayS: null, error: null };
  private ws: WebSocket | null = null;
  private stopped = false;
  private ms: MediaSource | null = null;
  private sb: SourceBuffer | null = null;
  private queue: ArrayBuffer[] = [];
  private expectInit = false;
  private mime: string | null = null;
  private zones: ZoneShape[] = [];
  private lines: LineShape[] = [];
  private messages: TracksMessage[] = [];
  private attempt = 0;
  /** The video's frame interval, the smallest step seen between presented frames. */
  private frameS = 0.2; // until two frames were presented
  private lastMediaTime: number | null = null;
  private img: HTMLImageElement | null = null;
  private readonly playout = new PlayoutDelay();
  /**
   * The buffered ranges as of the last append (first start, last range's start and end): reading `SourceBuffer.buffered`
   * is costly (a profile of a 4-tile wall had the player's steering first among its functions), so it is read once
   * per append, not on every frame.
   */
  private buffered: { startS: number; lastStartS: number; endS: number } | null = null;
  private lastSteerS = 0;
  /** What the canvas shows now (the message and shapes drawn last), and its 2D context. */
  private drawn: { msg: TracksMessage | null; zones: ZoneShape[]; lines: LineShape[] } = { msg: null, zones: [], lines: [] };
  private context: CanvasRenderingContext2D | null = null;
  /** Called for each presented frame with its media time and the analysis drawn on it (tests hook it). */
  onDrawn: ((mediaTimeS: number, msg: TracksMessage | null) => void) | null = null;

  constructor(private readonly video: VideoWithFrames, private readonly canvas: HTMLCanvasElement, private readonly cameraId: string) {
    this.connect();
    this.scheduleDraw();
  }

  stop(): void {
    this.stopped = true;
    this.ws?.close();
    if (this.video.src) URL.revokeObjectURL(this.video.src);
    this.img?.remove();
  }

  private fallback(reason: string): void {
    if (this.stats.mode === 'mjpeg') return;
    this.stats.mode = 'mjpeg';
    this.stats.error = reason;
    const img = document.createElement('img');
    img.className = this.video.className;
    img.src = `/api/cameras/${encodeURIComponent(this.cameraId)}/live.mjpeg`;
    img.alt = `${this.cameraId} (MJPEG: ${reason})`;
    this.video.hidden = true;
    this.video.after(img);
    this.img = img;
  }

  private newSource(type: string): void {
    this.mime = type;
    this.queue = [];
    this.sb = null;
    this.buffered = null;
    const ms = new MediaSource();
    this.ms = ms;
    const old = this.video.src;
    this.video.src = URL.createObjectURL(ms);
    if (old) URL.revokeObjectURL(old);
    ms.addEventListener('sourceopen', () => {
      try {
        const sb = ms.addSourceBuffer(type);
        sb.mode = 'segments';
        sb.addEventListener('updateend', () => {
          const b = sb.buffered;
          this.buffered = b.length > 0 ? { startS: b.start(0), lastStartS: b.start(b.length - 1), endS: b.end(b.length - 1) } : null;
          this.pump();
        });
        this.sb = sb;
        this.pump();
      } catch (err) {
        this.fallback(`cannot play ${type}: ${(err as Error).message}`);
      }
    }, { once: true });
  }

  private pump(): void {
    const sb = this.sb;
    if (!sb || sb.updating || this.queue.length === 0) return;
    const b = this.buffered;
    if (b && this.video.currentTime - b.startS > KEEP_BEHIND_S * 2) {
      sb.remove(b.startS, this.video.currentTime - KEEP_BEHIND_S);
      this.buffered = null; // read again when the removal ends
      return;
    }
    try {
      sb.appendBuffer(this.queue.shift()!);
    } catch (err) {
      if ((err as Error).name === 'QuotaExceededError') this.queue = [];
      else this.fallback(`append failed: ${(err as Error).message}`);
      return;
    }
    if (this.video.paused) this.video.play().catch(() => undefined);
    this.steer();
  }

  private onText(msg: { type: string } & Record<string, unknown>): void {
    if (msg.type === 'init') {
      const mime = String(msg['mime']);
      const mse = typeof MediaSource !== 'undefined';
      if (!mse || !MediaSource.isTypeSupported(mime)) return this.fallback(mse ? `${mime} not supported` : 'no Media Source Extensions');
      this.stats.mode = 'mse';
      this.expectInit = true;
      this.messages = []; // a new run starts a new timeline
      this.newSource(mime);
    } else if (msg.type === 'zones') {
      this.zones = (msg['zones'] as ZoneShape[]) ?? [];
      this.lines = (msg['lines'] as LineShape[]) ?? [];
    } else if (msg.type === 'tracks') {
      this.stats.tracksMessages++;
      const edge = this.liveEdge();
      if (typeof msg['pts'] === 'number' && edge !== null) this.playout.analysisArrived(performance.now() / 1000, msg['pts'], edge);
      this.messages.push(msg as unknown as TracksMessage);
      if (this.messages.length > KEEP_MESSAGES) this.messages.splice(0, this.messages.length - KEEP_MESSAGES);
    } else if (msg.type === 'error' && (msg['error'] as { code?: string })?.code === 'LIVE_DISABLED') {
      this.fallback(String((msg['error'] as { message?: string }).message));
    }
  }

  private connect(): void {
    if (this.stopped) return;
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/cameras/${encodeURIComponent(this.cameraId)}/live`);
    this.ws = ws;
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => (this.attempt = 0);
    ws.onmessage = (m) => {
      if (typeof m.data === 'string') return this.onText(JSON.parse(m.data) as { type: string });
      if (this.stats.mode !== 'mse' || !this.mime) return;
      if (!this.expectInit) this.stats.fragments++;
      this.expectInit = false;
      this.queue.push(m.data as ArrayBuffer);
      this.pump();
    };
    ws.onclose = () => {
      if (!this.stopped) setTimeout(() => this.connect(), reconnectDelayMs(this.attempt++, Math.random()));
    };
  }

  /** End of the newest buffered video (s), null before any. */
  private liveEdge(): number | null {
    return this.buffered?.endS ?? null;
  }

  /**
   * Keeps the playhead the analysis's lag behind the live edge (see playout.ts): a jump when far off, else the rate (in
   * steps of 2 %, changed only when the step changes). Four times a second is plenty for a correction of up to 10 %.
   */
  private steer(): void {
    const b = this.buffered;
    const now = performance.now() / 1000;
    if (!b || now - this.lastSteerS < 0.25) return;
    this.lastSteerS = now;
    const { seekToS, rate } = this.playout.steer(now, this.video.currentTime, b.endS);
    this.stats.playoutTargetS = this.playout.targetS(now);
    this.stats.playoutDelayS = b.endS - this.video.currentTime;
    if (seekToS !== null) this.video.currentTime = Math.max(b.lastStartS, seekToS);
    else {
      const stepped = Math.round(rate * 50) / 50;
      if (this.video.playbackRate !== stepped) this.video.playbackRate = stepped;
    }
  }

  /** Draws on every presented frame (requestVideoFrameCallback), or on every animation frame where it is missing. */
  private scheduleDraw(): void {
    if (this.stopped) return;
    const v = this.video;
    if (this.stats.mode !== 'mjpeg' && v.requestVideoFrameCallback) {
      v.requestVideoFrameCallback((_now, meta) => {
        this.drawFor(meta.mediaTime);
        this.scheduleDraw();
      });
    } else {
      requestAnimationFrame(() => {
        this.drawFor(null);
        this.scheduleDraw();
      });
    }
  }

  private drawFor(mediaTimeS: number | null): void {
    if (mediaTimeS !== null && this.lastMediaTime !== null) {
      const step = mediaTimeS - this.lastMediaTime;
      if (step > 0.004 && step < this.frameS) this.frameS = step;
    }
    // Boxes are held until the next analysed frame, at most a second.
    const msg = mediaTimeS === null ? (this.messages.at(-1) ?? null) : messageForFrame(this.messages, mediaTimeS, this.frameS / 2, HOLD_S);
    // Messages for frames already past (beyond the hold) are dropped: kept by time, not by count, the list stays a few
    // messages long at any analysis rate (a count of 200 grew the heap for minutes at 2 fps).
    if (mediaTimeS !== null) {
      let old = 0;
      while (old < this.messages.length - 1 && this.messages[old]!.pts !== null && this.messages[old]!.pts! < mediaTimeS - HOLD_S - 1) old++;
      if (old > 0) this.messages.splice(0, old);
    }
    if (mediaTimeS !== null) {
      this.lastMediaTime = mediaTimeS;
      this.stats.framesPresented++;
      this.stats.lastMediaTime = mediaTimeS;
      this.stats.lastDrawnPts = msg?.pts ?? null;
      if (msg && Math.abs(msg.pts! - mediaTimeS) <= this.frameS / 2 + 1e-3) this.stats.framesMatched++;
      this.onDrawn?.(mediaTimeS, msg);
      this.steer();
    }
    const w = msg?.width ?? this.video.videoWidth;
    const h = msg?.height ?? this.video.videoHeight;
    if (!w || !h) return;
    // Most frames keep the boxes of the last analysed one: the canvas is drawn again only when what it shows changes.
    if (msg === this.drawn.msg && this.zones === this.drawn.zones && this.lines === this.drawn.lines && w === this.canvas.width && h === this.canvas.height) return;
    this.drawn = { msg, zones: this.zones, lines: this.lines };
    if (this.canvas.width !== w || this.canvas.height !== h) Object.assign(this.canvas, { width: w, height: h });
    this.context ??= this.canvas.getContext('2d');
    if (this.context) drawOverlay(this.context, w, h, this.zones, this.lines, msg);
  }
}
