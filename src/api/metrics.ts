import type { CameraStatus } from '../core/camera-status.ts';

/** Camera states a metric is written for (one series per state, 1 for the current one). */
const STATES = ['starting', 'online', 'stalled', 'backoff', 'offline', 'ended', 'stopped', 'disabled'] as const;

interface Metric {
  readonly name: string;
  readonly type: 'gauge' | 'counter';
  readonly help: string;
  readonly value: (s: CameraStatus) => number;
}

const METRICS: readonly Metric[] = [
  { name: 'sightline_camera_up', type: 'gauge', help: '1 when the camera delivers frames (state online).', value: (s) => (s.state === 'online' ? 1 : 0) },
  { name: 'sightline_camera_fps', type: 'gauge', help: 'Frames per second decoded over the last few seconds.', value: (s) => s.fpsMeasured },
  { name: 'sightline_camera_fps_processed', type: 'gauge', help: 'Frames per second through detection, tracking and rules.', value: (s) => s.fpsProcessed },
  { name: 'sightline_camera_frames_decoded_total', type: 'counter', help: 'Frames decoded from the source.', value: (s) => s.framesDecoded },
  { name: 'sightline_camera_frames_dropped_total', type: 'counter', help: 'Frames replaced by a newer one before analysis.', value: (s) => s.framesDropped },
  { name: 'sightline_camera_frames_with_motion_total', type: 'counter', help: 'Frames in which motion was seen.', value: (s) => s.framesWithMotion },
  { name: 'sightline_camera_detector_calls_total', type: 'counter', help: 'Frames sent to the object detector.', value: (s) => s.detectorCalls },
  { name: 'sightline_camera_frames_skipped_total', type: 'counter', help: 'Frames the motion gate kept from the detector.', value: (s) => s.framesSkipped },
  { name: 'sightline_camera_restarts_total', type: 'counter', help: 'Restarts of the camera source.', value: (s) => s.restarts },
  { name: 'sightline_camera_active_tracks', type: 'gauge', help: 'Confirmed tracks in the newest analysed frame.', value: (s) => s.activeTracks },
  { name: 'sightline_camera_open_events', type: 'gauge', help: 'Events not yet ended.', value: (s) => s.openEvents },
  { name: 'sightline_camera_frames_replaced_total', type: 'counter', help: 'Frames the detector skipped for a newer frame of the camera.', value: (s) => s.framesReplaced },
];

const label = (v: string) => v.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');

/** The cameras' state and counters in the Prometheus text format (pure). */
export function formatMetrics(cameras: readonly CameraStatus[]): string {
  const lines: string[] = [];
  for (const m of METRICS) {
    lines.push(`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`);
    for (const c of cameras) lines.push(`${m.name}{camera="${label(c.id)}"} ${m.value(c)}`);
  }
  lines.push('# HELP sightline_camera_state 1 for the state the camera is in, 0 for the others.', '# TYPE sightline_camera_state gauge');
  for (const c of cameras) for (const s of STATES) lines.push(`sightline_camera_state{camera="${label(c.id)}",state="${s}"} ${c.state === s ? 1 : 0}`);
  lines.push('# HELP sightline_line_crossings_total Crossings of a counting line since the camera started, by direction.', '# TYPE sightline_line_crossings_total counter');
  for (const c of cameras) {
    for (const l of c.lines) {
      for (const d of ['in', 'out'] as const) lines.push(`sightline_line_crossings_total{camera="${label(c.id)}",line="${label(l.id)}",direction="${d}"} ${l[d]}`);
    }
  }
  lines.push('# HELP sightline_zone_objects Objects in a zone in the newest analysed frame.', '# TYPE sightline_zone_objects gauge');
  for (const c of cameras) for (const z of c.zones) lines.push(`sightline_zone_objects{camera="${label(c.id)}",zone="${label(z.id)}"} ${z.count}`);
  lines.push(
    '# HELP sightline_event_latency_ms Milliseconds from the capture of a frame to its event being stored (quantiles over the last 1000 events).',
    '# TYPE sightline_event_latency_ms summary',
  );
  for (const c of cameras) {
    const l = c.eventLatency;
    if (!l) continue;
    const cam = label(c.id);
    lines.push(
      `sightline_event_latency_ms{camera="${cam}",quantile="0.5"} ${l.p50Ms}`,
      `sightline_event_latency_ms{camera="${cam}",quantile="0.95"} ${l.p95Ms}`,
      `sightline_event_latency_ms_sum{camera="${cam}"} ${l.sumMs}`,
      `sightline_event_latency_ms_count{camera="${cam}"} ${l.count}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
