/**
 * Which event versions a destination receives (pure): event types, cameras, rules, subject labels, a minimum severity
 * and which versions (start, update, end; a point event such as a line crossing is both a start and an end). An absent
 * list means any.
 */
import type { Severity } from '../core/types.ts';

/** A destination's filter, as configured. */
export interface DeliveryFilter {
  readonly types?: readonly string[] | undefined;
  readonly cameras?: readonly string[] | undefined;
  readonly rules?: readonly string[] | undefined;
  readonly labels?: readonly string[] | undefined;
  readonly minSeverity?: Severity | undefined;
  readonly versions?: readonly ('start' | 'update' | 'end')[] | undefined;
}

/** What the filter reads of one event version. */
export interface FilteredVersion {
  readonly kind: 'start' | 'update' | 'end' | 'instant';
  readonly event: {
    readonly id: string;
    readonly type: string;
    readonly cameraId: string;
    readonly ruleId: string;
    readonly severity: Severity;
    readonly subjects: readonly { readonly label: string }[];
  };
}

const RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, critical: 2 };

/** True when the event itself matches: types, cameras, rules, labels, minimum severity (not the version kinds). */
export function matchesContent(filter: DeliveryFilter, e: FilteredVersion['event']): boolean {
  if (filter.types && !filter.types.includes(e.type)) return false;
  if (filter.cameras && !filter.cameras.includes(e.cameraId)) return false;
  if (filter.rules && !filter.rules.includes(e.ruleId)) return false;
  if (filter.labels && !e.subjects.some((s) => filter.labels!.includes(s.label))) return false;
  if (filter.minSeverity && RANK[e.severity] < RANK[filter.minSeverity]) return false;
  return true;
}

/** True when the destination takes this kind of version (a point event is a start and an end). */
export function matchesVersion(filter: DeliveryFilter, kind: FilteredVersion['kind']): boolean {
  if (!filter.versions) return true;
  const kinds = kind === 'instant' ? ['start', 'end'] : [kind];
  return kinds.some((k) => filter.versions!.includes(k as 'start' | 'update' | 'end'));
}
