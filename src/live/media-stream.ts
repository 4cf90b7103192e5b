import { Fmp4Splitter, type Fragment, type InitSegment } from '../media/fmp4.ts';

/** Receives a camera's fragmented MP4 (the live view's viewers, the recorder). */
export interface MediaListener {
  /** A new run of the stream starts (first connection or after a restart); fragments that follow belong to it. */
  init(init: InitSegment): void;
  /** One fragment (one frame), with the time it reached the server. */
  fragment(fragment: Fragment, arrivalMs: number): void;
}

/** How many recent fragments are kept to map arrival times to presentation times. */
const TIME_MAP_SIZE = 256;
/** Longest group of pictures kept for viewers that join (fragments). */
const MAX_GOP_FRAGMENTS = 600;

/**
 * One camera's fragmented MP4 from its ffmpeg (fed by `CameraSource` through `begin`/`data`), split into the init
 * segment and per-frame fragments and fanned out to any number of listeners: one ffmpeg, however many viewers.
 * Keeps the fragments since the last keyframe so that a viewer who joins starts playing at once.
 */
export class CameraMediaStream {
  private splitter = new Fmp4Splitter();
  private current: InitSegment | null = null;
  private gop: Fragment[] = [];
  private readonly listeners = new Set<MediaListener>();
  private readonly timeMap: { arrivalMs: number; seconds: number; durationS: number }[] = [];
  /** Set when this run's stream could not be read: the rest of the run is ignored. */
  private failed = false;
  /** This run's first fragment's presentation time (s) and first decoded frame's pts (ms): the two timelines' anchor. */
  private firstFragmentPtsS: number | null = null;
  private firstFramePtsMs: number | null = null;

  /** A new ffmpeg run begins: its bytes start with a fresh init segment. */
  begin(): void {
    this.splitter = new Fmp4Splitter();
    this.current = null;
    this.gop = [];
    this.timeMap.length = 0;
    this.failed = false;
    this.firstFragmentPtsS = null;
    this.firstFramePtsMs = null;
  }

  /**
   * The run's first decoded frame and its presentation time on ffmpeg's output timeline (ms). Decoding and the copied
   * media both start at the stream's first keyframe, so this frame is the first fragment's: the two timelines differ by
   * a constant (the shift the MP4 muxer applies so that decode times start at zero with B-frames).
   */
  firstFrame(ptsMs: number): void {
    if (Number.isFinite(ptsMs)) this.firstFramePtsMs ??= ptsMs;
  }

  /** Bytes from ffmpeg's fragmented-MP4 output. */
  data(chunk: Buffer, arrivalMs: number): void {
    if (this.failed) return;
    let parts;
    try {
      parts = this.splitter.push(chunk);
    } catch {
      // A corrupt stream: ignore the rest of this run (the next ffmpeg run starts clean) rather than crash the camera.
      this.failed = true;
      return;
    }
    for (const part of parts) {
      if (part.kind === 'init') {
        this.current = part;
        this.gop = [];
        for (const l of this.listeners) l.init(part);
        continue;
      }
      if (!this.current) continue;
      if (part.keyframe) this.gop = [part];
      else if (this.gop.length > 0 && this.gop.length < MAX_GOP_FRAGMENTS) this.gop.push(part);
      const ts = this.current.timescale;
      this.firstFragmentPtsS ??= part.ptsTicks / ts;
      this.timeMap.push({ arrivalMs, seconds: part.startTicks / ts, durationS: part.durationTicks / ts });
      if (this.timeMap.length > TIME_MAP_SIZE) this.timeMap.shift();
      for (const l of this.listeners) l.fragment(part, arrivalMs);
    }
  }

  /**
   * Adds a listener; when the stream is running it is first given the init segment and the fragments since the last
   * keyframe, all stamped with `nowMs` as their arrival. Returns the function that removes it.
   */
  subscribe(listener: MediaListener, nowMs: number): () => void {
    if (this.current) {
      listener.init(this.current);
      for (const f of this.gop) listener.fragment(f, nowMs);
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Presentation time (seconds on the media's timeline, where the live view's player shows it) of a decoded frame. From
   * the frame's own pts when the decoder gave one (exact); otherwise estimated from when it arrived: the fragment that
   * arrived last before it, plus the time since, capped at that fragment's end (within a frame or two). Null before any
   * fragment.
   */
  presentationTime(frame: { readonly timeMs: number; readonly streamPtsMs?: number }): number | null {
    const pts = frame.streamPtsMs;
    if (pts !== undefined && Number.isFinite(pts) && this.firstFramePtsMs !== null && this.firstFragmentPtsS !== null) {
      return this.firstFragmentPtsS + (pts - this.firstFramePtsMs) / 1000;
    }
    const arrivalMs = frame.timeMs;
    for (let i = this.timeMap.length - 1; i >= 0; i--) {
      const m = this.timeMap[i]!;
      if (m.arrivalMs <= arrivalMs) return m.seconds + Math.min(m.durationS, (arrivalMs - m.arrivalMs) / 1000);
    }
    return this.timeMap[0]?.seconds ?? null;
  }
}
