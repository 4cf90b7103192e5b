/** A camera's state and counters as the API shows them: the same shape from any camera, in this process or not. */

/** Supervision state of a camera source. */
export type SourceState = 'starting' | 'online' | 'stalled' | 'backoff' | 'offline' | 'ended' | 'stopped';

/** What a camera source reports about itself. */
export interface SourceStatus {
  readonly state: SourceState;
  readonly lastError: string | null;
  readonly framesDecoded: number;
  /** Frames replaced by a newer one in the queue before analysis. */
  readonly framesDropped: number;
  readonly restarts: number;
  /** Frames per second delivered over the last few seconds. */
  readonly fpsMeasured: number;
  readonly width: number | null;
  readonly height: number | null;
}

/** Supervision state of a camera: its source's state, or `disabled`. */
export type CameraState = SourceState | 'disabled';

/** One camera's status (GET /api/cameras). */
export interface CameraStatus extends Omit<SourceStatus, 'state'> {
  readonly id: string;
  readonly name: string;
  /** Source URL with credentials redacted. */
  readonly url: string;
  readonly enabled: boolean;
  readonly state: CameraState;
  readonly model: string | null;
  /** Frames per second that went through detection, tracking and rules. */
  readonly fpsProcessed: number;
  readonly framesProcessed: number;
  /** Frames the detector skipped because a newer frame of this camera replaced them. */
  readonly framesReplaced: number;
  readonly activeTracks: number;
  readonly openEvents: number;
  /** Frames in which the motion detector saw motion. */
  readonly framesWithMotion: number;
  /** Frames sent to the object detector. */
  readonly detectorCalls: number;
  /** Frames the motion gate kept from the detector (no motion, nothing tracked). */
  readonly framesSkipped: number;
  /** Crossings of each declared line since the camera started, by direction. */
  readonly lines: readonly { readonly id: string; readonly in: number; readonly out: number }[];
  /**
   * Objects in each zone in the newest analysed frame, and the same count by label (every label listed for the zone or
   * seen in it since the camera started; 0 when none is there now).
   */
  readonly zones: readonly { readonly id: string; readonly count: number; readonly labels: Readonly<Record<string, number>> }[];
  /** Capture-to-stored latency of the camera's recent events (ms), or null before its first live event. */
  readonly eventLatency: { readonly p50Ms: number; readonly p95Ms: number; readonly count: number; readonly sumMs: number } | null;
}
