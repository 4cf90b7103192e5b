/**
 * Rules (operator): one form per rule type (presence, line, dwell, occupancy; other types are listed and kept as they
 * are), the zone or line picked from the camera's drawing, severity, and the destinations its events go to (each
 * destination's filter, shown; admins change it on the Delivery settings). Validated in the form (react-hook-form with
 * the zod model in lib/rule-form.ts), then by the server, whose errors land on the field they name.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm, type Resolver } from 'react-hook-form';
import { Link } from 'react-router';
import { PerCameraPage } from '../components/PerCameraPage';
import { api, errorMessage, unwrap } from '../api/client';
import { fieldOfServerError, formValues, RULE_TYPES, RuleFormSchema, ruleFromForm, type RuleFormValues } from '../lib/rule-form';

type Output = ReturnType<typeof RuleFormSchema.parse>;
type Item = Record<string, unknown> & { id: string };

/** react-hook-form's resolver over the zod model (ten lines; the resolvers package would add many peer packages). */
const resolver: Resolver<RuleFormValues, unknown, Output> = async (values) => {
  const r = RuleFormSchema.safeParse(values);
  if (r.success) return { values: r.data, errors: {} };
  const errors: Record<string, { type: string; message: string }> = {};
  for (const i of r.error.issues) errors[String(i.path[0] ?? 'root')] ??= { type: i.code, message: i.message };
  return { values: {}, errors };
};

export default function Page() {
  return <PerCameraPage base="rules" title="Rules">{(cameraId) => <CameraRules key={cameraId} cameraId={cameraId} />}</PerCameraPage>;
}

function CameraRules({ cameraId }: { cameraId: string }) {
  const path = { params: { path: { id: cameraId } } };
  const rules = useQuery({ queryKey: ['rules', cameraId], queryFn: async () => unwrap(await api.GET('/api/cameras/{id}/rules', path)) });
  const zones = useQuery({ queryKey: ['zones', cameraId], queryFn: async () => unwrap(await api.GET('/api/cameras/{id}/zones', path)) });
  const lines = useQuery({ queryKey: ['lines', cameraId], queryFn: async () => unwrap(await api.GET('/api/cameras/{id}/lines', path)) });
  const destinations = useQuery({ queryKey: ['destinations'], queryFn: async () => unwrap(await api.GET('/api/destinations')), retry: false });
  const [editing, setEditing] = useState<Item | 'new' | null>(null);
  const items = (rules.data?.items ?? []) as Item[];
  const goesTo = (ruleId: string) => (destinations.data?.destinations ?? [])
    .filter((d) => { const f = (d as { filter?: { rules?: string[]; cameras?: string[] } }).filter; return (!f?.rules || f.rules.includes(ruleId)) && (!f?.cameras || f.cameras.includes(cameraId)); })
    .map((d) => d.id);
  if (rules.isError) return <p className="error" role="alert">{rules.error.message}</p>;
  return (
    <>
      <table>
        <thead><tr><th scope="col">Rule</th><th scope="col">Type</th><th scope="col">Watches</th><th scope="col">Severity</th><th scope="col">Goes to</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {items.map((r) => (
            <tr key={r.id}>
              <td>{r.id}</td><td>{String(r['type'])}</td><td>{String(r['zone'] ?? r['line'] ?? 'whole frame')}</td><td>{String(r['severity'] ?? '')}</td>
              <td>{destinations.isError ? <span className="muted">(admins see destinations)</span> : goesTo(r.id).join(', ') || <span className="muted">no destination</span>}</td>
              <td className="actions"><button type="button" onClick={() => setEditing(r)}>Edit</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={() => setEditing('new')}>New rule</button>
      {items.length === 0 && zones.data?.items.length === 0 ? <p className="muted">Draw a zone first on <Link to={`/zones/${encodeURIComponent(cameraId)}`}>Zones and lines</Link>.</p> : null}
      {editing ? (
        <RuleForm key={editing === 'new' ? 'new' : editing.id} cameraId={cameraId} stored={editing === 'new' ? null : editing}
          zones={(zones.data?.items ?? []).map((z) => String((z as Item).id))} lines={(lines.data?.items ?? []).map((l) => String((l as Item).id))}
          onDone={() => setEditing(null)} />
      ) : null}
    </>
  );
}

function RuleForm({ cameraId, stored, zones, lines, onDone }: { cameraId: string; stored: Item | null; zones: string[]; lines: string[]; onDone: () => void }) {
  const client = useQueryClient();
  const editable = !stored || (RULE_TYPES as readonly string[]).includes(String(stored['type']));
  const { register, handleSubmit, watch, setError, formState: { errors, isSubmitting } } = useForm<RuleFormValues, unknown, Output>({ resolver, defaultValues: formValues(stored) });
  const [serverError, setServerError] = useState<string | null>(null);
  const type = watch('type');
  const path = { params: { path: { id: cameraId } } };
  const submit = handleSubmit(async (v) => {
    setServerError(null);
    try {
      const body = ruleFromForm(v, stored);
      if (stored) unwrap(await api.PUT('/api/cameras/{id}/rules/{itemId}', { params: { path: { id: cameraId, itemId: stored.id } }, body }));
      else unwrap(await api.POST('/api/cameras/{id}/rules', { ...path, body }));
      await client.invalidateQueries({ queryKey: ['rules', cameraId] });
      onDone();
    } catch (err) {
      const message = errorMessage(err);
      const field = fieldOfServerError(message);
      if (field && field in v) setError(field as keyof RuleFormValues, { type: 'server', message });
      else setServerError(message);
    }
  });
  const remove = async () => {
    if (!stored) return;
    setServerError(null);
    try {
      unwrap(await api.DELETE('/api/cameras/{id}/rules/{itemId}', { params: { path: { id: cameraId, itemId: stored.id } } }));
      await client.invalidateQueries({ queryKey: ['rules', cameraId] });
      onDone();
    } catch (err) {
      setServerError(errorMessage(err));
    }
  };
  const field = (name: keyof RuleFormValues, label: string, input: React.ReactNode) => (
    <div className="field">
      <label htmlFor={`rule-${name}`}>{label}</label>
      {input}
      {errors[name] ? <span className="error" id={`rule-${name}-error`} role="alert">{errors[name]?.message}</span> : null}
    </div>
  );
  const aria = (name: keyof RuleFormValues) => ({ id: `rule-${name}`, 'aria-invalid': errors[name] ? true : undefined, 'aria-describedby': errors[name] ? `rule-${name}-error` : undefined });
  if (!editable) {
    return (
      <div className="rule-form">
        <h2>Rule {stored!.id} ({String(stored!['type'])})</h2>
        <p>This rule type has no form yet; its settings are kept as they are. Change it through <code>PUT /api/cameras/{cameraId}/rules/{stored!.id}</code> or the YAML export.</p>
        <pre className="json" tabIndex={0}>{JSON.stringify(stored, null, 2)}</pre>
        <button type="button" onClick={onDone}>Close</button>
      </div>
    );
  }
  return (
    <form className="rule-form" onSubmit={(e) => void submit(e)} aria-labelledby="rule-form-title" noValidate>
      <h2 id="rule-form-title">{stored ? `Rule ${stored.id}` : 'New rule'}</h2>
      {field('type', 'Type', <select {...register('type')} {...aria('type')} disabled={!!stored}>{RULE_TYPES.map((t) => <option key={t}>{t}</option>)}</select>)}
      {field('id', 'Id', <input {...register('id')} {...aria('id')} readOnly={!!stored} placeholder="people-at-door" />)}
      {type === 'line'
        ? field('line', 'Line', <select {...register('line')} {...aria('line')}><option value="">Pick a line…</option>{lines.map((l) => <option key={l}>{l}</option>)}</select>)
        : field('zone', 'Zone', <select {...register('zone')} {...aria('zone')}><option value="">Pick a zone…</option><option value="all">all (whole frame)</option>{zones.map((z) => <option key={z}>{z}</option>)}</select>)}
      {type === 'line' ? field('emit', 'Each crossing', <select {...register('emit')} {...aria('emit')}><option value="event">raises an event</option><option value="count">is only counted</option></select>) : null}
      {type === 'dwell' || type === 'occupancy' ? field('seconds', type === 'dwell' ? 'Seconds in the zone' : 'Seconds past the limit', <input inputMode="decimal" {...register('seconds')} {...aria('seconds')} />) : null}
      {type === 'occupancy' ? field('max', 'More than', <input inputMode="numeric" {...register('max')} {...aria('max')} />) : null}
      {type === 'occupancy' ? field('min', 'Fewer than', <input inputMode="numeric" {...register('min')} {...aria('min')} />) : null}
      {field('objects', 'Objects (default: the camera\'s)', <input {...register('objects')} {...aria('objects')} placeholder="person, car" />)}
      {field('severity', 'Severity', <select {...register('severity')} {...aria('severity')}><option>info</option><option>warning</option><option>critical</option></select>)}
      {serverError ? <p className="error" role="alert">{serverError}</p> : null}
      <div className="actions">
        <button type="submit" disabled={isSubmitting}>{stored ? 'Save rule' : 'Create rule'}</button>
        <button type="button" onClick={onDone}>Cancel</button>
        {stored ? <button type="button" className="danger" onClick={() => void remove()}>Remove rule</button> : null}
      </div>
    </form>
  );
}
