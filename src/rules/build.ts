/**
 * Builds a camera's rules from its validated configuration (pure): zones and lines declared once, rules referencing
 * them, and the default when no rule is given (a presence rule per zone, or for the whole frame, with the zone's id).
 */
import type { CameraConfig } from '../config/schema.ts';
import { AnimalRule } from './animal.ts';
import { buildThreatTable } from './animal-threat.ts';
import { DwellRule } from './dwell.ts';
import { ViolenceRule } from './violence.ts';
import { FallRule } from './fall.ts';
import type { LineSpec } from './line-crossing.ts';
import { LineRule } from './line.ts';
import { OccupancyRule } from './occupancy.ts';
import { PresenceRule } from './presence.ts';
import type { Rule } from './rule.ts';
import { WHOLE_FRAME_ZONE, type Zone } from './zones.ts';

/** A camera's declared geometry as the rules see it. */
export interface CameraGeometry {
  /** Declared zones, or the whole frame (`all`) when none is declared. */
  readonly zones: readonly (Zone & { readonly labels: readonly string[] })[];
  readonly lines: readonly LineSpec[];
  /** The labels the camera tracks. */
  readonly labels: readonly string[];
}

/** The camera's zones (with the labels each counts) and lines. */
export function cameraGeometry(camera: CameraConfig): CameraGeometry {
  const track = camera.objects.track;
  const zones = camera.zones.length === 0
    ? [{ ...WHOLE_FRAME_ZONE, labels: track }]
    : camera.zones.map((z) => ({ id: z.id, polygonNorm: z.polygon, labels: z.objects ?? track }));
  return { zones, lines: camera.lines.map((l) => ({ id: l.id, pointsNorm: l.points, inSide: l.in })), labels: track };
}

/** The camera's rules, in configuration order (validated configuration: every reference resolves). */
export function buildRules(camera: CameraConfig): Rule[] {
  const geometry = cameraGeometry(camera);
  const zoneOf = (id: string) => geometry.zones.find((z) => z.id === id) ?? { ...WHOLE_FRAME_ZONE, labels: camera.objects.track };
  const ev = camera.events;
  if (camera.rules.length === 0) {
    return geometry.zones.map((zone) => new PresenceRule({
      id: zone.id, severity: 'info', zone, labels: zone.labels, anchor: 'bottom-center',
      minDurationMs: ev.minDurationMs, endAfterMs: ev.endAfterMs, cooldownMs: ev.cooldownMs,
    }));
  }
  return camera.rules.map((r): Rule => {
    switch (r.type) {
      case 'presence': {
        const zone = zoneOf(r.zone);
        return new PresenceRule({
          id: r.id, severity: r.severity, zone, labels: r.objects ?? zone.labels, anchor: r.anchor,
          minDurationMs: r.minDurationMs ?? ev.minDurationMs, endAfterMs: r.endAfterMs ?? ev.endAfterMs, cooldownMs: r.cooldownMs ?? ev.cooldownMs,
        });
      }
      case 'line': {
        const line = geometry.lines.find((l) => l.id === r.line)!;
        return new LineRule({ id: r.id, severity: r.severity, line, labels: r.objects ?? camera.objects.track, emit: r.emit, crossing: { anchor: r.anchor } });
      }
      case 'dwell': {
        const zone = zoneOf(r.zone);
        return new DwellRule({
          id: r.id, severity: r.severity, zone, labels: r.objects ?? zone.labels, anchor: r.anchor,
          minDwellMs: r.seconds * 1000, toleranceMs: r.toleranceSeconds * 1000,
        });
      }
      case 'occupancy': {
        const zone = zoneOf(r.zone);
        return new OccupancyRule({
          id: r.id, severity: r.severity, zone, labels: r.objects ?? zone.labels, anchor: r.anchor, max: r.max ?? null, min: r.min ?? null,
          minDurationMs: r.seconds * 1000, endAfterMs: r.clearSeconds * 1000, holdMs: r.holdSeconds * 1000,
        });
      }
      case 'animal':
        return new AnimalRule({
          id: r.id, severity: r.severity, zone: zoneOf(r.zone), anchor: r.anchor, labels: r.objects,
          table: buildThreatTable(r.threats, r.timeZone),
          minDurationMs: r.minDurationMs ?? ev.minDurationMs, endAfterMs: r.endAfterMs ?? ev.endAfterMs, cooldownMs: r.cooldownMs ?? ev.cooldownMs,
        });
      case 'violence':
        return new ViolenceRule({
          id: r.id, severity: r.severity, zone: zoneOf(r.zone), labels: r.objects ?? ['person'], anchor: r.anchor,
          threshold: r.threshold, minMs: r.minSeconds * 1000, smoothing: r.smoothing, minSpeedHeightsPerS: r.minSpeed,
          gateHoldMs: r.gateHoldSeconds * 1000, endAfterMs: r.endAfterSeconds * 1000,
        });
      case 'fall':
        return new FallRule({
          id: r.id, severity: r.severity, zone: zoneOf(r.zone), labels: r.objects ?? ['person'], anchor: r.anchor,
          downMs: r.downSeconds * 1000, dropMs: r.dropSeconds * 1000, dropRatio: r.dropRatio, getUpMs: r.getUpSeconds * 1000,
          criticalAfterMs: r.criticalAfterSeconds * 1000, unseenEndMs: r.unseenEndSeconds * 1000,
        });
    }
  });
}
