/**
 * The rule forms' model (pure): the fields each rule type asks for, defaults, validation messages, and the mapping
 * between a stored rule and the form's values. The server validates again with the configuration schema; its errors
 * name the path (`body.zone: ...`) and are shown next to that field.
 */
import { z } from 'zod';

export const RULE_TYPES = ['presence', 'line', 'dwell', 'occupancy'] as const;
export type FormRuleType = (typeof RULE_TYPES)[number];

const idText = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'letters, digits, _ and - (1 to 64)' });
const optionalNumber = (min: number, max: number) =>
  z.union([z.literal(''), z.coerce.number<string>().min(min, { error: `at least ${min}` }).max(max, { error: `at most ${max}` })]);

/** What the form holds (all text, as inputs give it). */
export const RuleFormSchema = z.object({
  type: z.enum(RULE_TYPES),
  id: idText,
  objects: z.string().regex(/^\s*[a-z][a-z ]*(\s*,\s*[a-z][a-z ]*)*\s*$/i, { error: 'labels separated by commas, e.g. person, car' }).or(z.literal('')),
  severity: z.enum(['info', 'warning', 'critical']),
  zone: z.string(),
  line: z.string(),
  emit: z.enum(['event', 'count']),
  seconds: optionalNumber(0, 86_400),
  max: optionalNumber(0, 10_000),
  min: optionalNumber(1, 10_000),
}).superRefine((v, ctx) => {
  if ((v.type === 'presence' || v.type === 'dwell' || v.type === 'occupancy') && !v.zone) ctx.addIssue({ code: 'custom', path: ['zone'], message: 'pick the zone the rule watches' });
  if (v.type === 'line' && !v.line) ctx.addIssue({ code: 'custom', path: ['line'], message: 'pick the line' });
  if (v.type === 'dwell' && v.seconds === '') ctx.addIssue({ code: 'custom', path: ['seconds'], message: 'how long someone must stay, in seconds' });
  if (v.type === 'occupancy' && v.max === '' && v.min === '') ctx.addIssue({ code: 'custom', path: ['max'], message: 'give a maximum, a minimum or both' });
});
export type RuleFormValues = z.input<typeof RuleFormSchema>;

/** Form values for a new rule of `type`, or from a stored rule. */
export function formValues(rule: Record<string, unknown> | null, type: FormRuleType = 'presence'): RuleFormValues {
  const r = rule ?? {};
  const t = (RULE_TYPES as readonly string[]).includes(String(r['type'])) ? (r['type'] as FormRuleType) : type;
  const num = (k: string) => (typeof r[k] === 'number' ? String(r[k]) : '');
  return {
    type: t, id: String(r['id'] ?? ''), objects: Array.isArray(r['objects']) ? (r['objects'] as string[]).join(', ') : '',
    severity: (r['severity'] as RuleFormValues['severity']) ?? (t === 'dwell' || t === 'occupancy' ? 'warning' : 'info'),
    zone: String(r['zone'] ?? ''), line: String(r['line'] ?? ''), emit: (r['emit'] as 'event' | 'count') ?? 'event',
    seconds: num('seconds'), max: num('max'), min: num('min'),
  };
}

/** The rule to send: only the fields of its type; fields of the stored rule the form does not edit are kept. */
export function ruleFromForm(v: z.output<typeof RuleFormSchema>, stored: Record<string, unknown> | null): Record<string, unknown> {
  const keep = stored && stored['type'] === v.type ? { ...stored } : {};
  for (const k of ['zone', 'line', 'emit', 'seconds', 'max', 'min', 'objects']) delete keep[k];
  const objects = v.objects.split(',').map((s) => s.trim()).filter(Boolean);
  const out: Record<string, unknown> = { ...keep, type: v.type, id: v.id, severity: v.severity, ...(objects.length > 0 ? { objects } : {}) };
  if (v.type === 'line') Object.assign(out, { line: v.line, emit: v.emit });
  else out['zone'] = v.zone;
  if (v.type === 'dwell' && v.seconds !== '') out['seconds'] = v.seconds;
  if (v.type === 'occupancy') {
    if (v.max !== '') out['max'] = v.max;
    if (v.min !== '') out['min'] = v.min;
    if (v.seconds !== '') out['seconds'] = v.seconds;
  }
  return out;
}

/** The form field a server validation message names (`body.zone: ...` -> `zone`), or null. */
export function fieldOfServerError(message: string): string | null {
  const m = /^body\.([A-Za-z]+)/.exec(message);
  return m ? m[1]! : null;
}
