/**
 * Delivery (admin): destinations (test send, turn back on, remove, add a webhook with a generated signing secret or any
 * destination as JSON) and the delivery log (filter by status or destination, the attempts of one, retry).
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, errorMessage, unwrap } from '../api/client';
import { formatTimeMs } from '../lib/format';

/** A Standard Webhooks signing secret: "whsec_" + base64 of 32 random bytes (made here, shown once). */
function newSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}

export default function DeliveryPage() {
  const client = useQueryClient();
  const destinations = useQuery({ queryKey: ['destinations'], queryFn: async () => unwrap(await api.GET('/api/destinations')), refetchInterval: 10_000 });
  const [status, setStatus] = useState('');
  const [destination, setDestination] = useState('');
  const log = useQuery({
    queryKey: ['deliveries', status, destination],
    queryFn: async () => unwrap(await api.GET('/api/deliveries', { params: { query: { limit: '200', ...(status ? { status } : {}), ...(destination ? { destination } : {}) } } })),
    refetchInterval: 5000,
  });
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const run = async (f: () => Promise<string>) => {
    setMessage(null);
    try {
      setMessage({ ok: true, text: await f() });
    } catch (err) {
      setMessage({ ok: false, text: errorMessage(err) });
    }
    await client.invalidateQueries({ queryKey: ['destinations'] });
    await client.invalidateQueries({ queryKey: ['deliveries'] });
  };
  const now = Date.now();
  return (
    <section aria-labelledby="delivery-title">
      <h1 id="delivery-title">Delivery</h1>
      {message ? <p className={message.ok ? 'muted' : 'error'} role={message.ok ? 'status' : 'alert'}>{message.text}</p> : null}
      <h2>Destinations</h2>
      <table>
        <thead><tr><th scope="col">Destination</th><th scope="col">Type</th><th scope="col">Target</th><th scope="col">State</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {(destinations.data?.destinations ?? []).map((d) => (
            <tr key={d.id}>
              <td>{d.id}</td><td>{d.type}</td><td className="url">{d.target}</td>
              <td>{!d.enabled ? 'off in the configuration' : d.disabled ? `turned off: ${d.disabledReason ?? ''}` : 'on'}</td>
              <td className="actions">
                <button type="button" disabled={!d.enabled} onClick={() => void run(async () => {
                  const r = unwrap(await api.POST('/api/destinations/{id}/test', { params: { path: { id: d.id } } })) as { ok: boolean } & Record<string, unknown>;
                  if (!r.ok) throw new Error(`test to ${d.id} failed: ${JSON.stringify(r)}`);
                  return `test to ${d.id} delivered: ${JSON.stringify(r)}`;
                })}>Send a test</button>
                {d.disabled ? <button type="button" onClick={() => void run(async () => { unwrap(await api.POST('/api/destinations/{id}/enable', { params: { path: { id: d.id } } })); return `${d.id} is on again`; })}>Turn on</button> : null}
                <button type="button" className="danger" onClick={() => { if (confirm(`Remove destination ${d.id}? Its pending deliveries stay listed, unsent.`)) void run(async () => { unwrap(await api.DELETE('/api/destinations/{id}', { params: { path: { id: d.id } } })); return `${d.id} removed`; }); }}>Remove</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <AddWebhook onAdded={(text) => void run(async () => text)} />
      <h2>Delivery log</h2>
      <div className="toolbar">
        <label>Status<select value={status} onChange={(e) => setStatus(e.target.value)}><option value="">All</option>{['pending', 'failed', 'delivered', 'dead'].map((s) => <option key={s}>{s}</option>)}</select></label>
        <label>Destination<select value={destination} onChange={(e) => setDestination(e.target.value)}><option value="">All</option>{(destinations.data?.destinations ?? []).map((d) => <option key={d.id}>{d.id}</option>)}</select></label>
      </div>
      <table>
        <thead><tr><th scope="col">Created</th><th scope="col">Destination</th><th scope="col">Event</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last error</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {(log.data?.deliveries ?? []).map((d) => (
            <tr key={d.id}>
              <td>{formatTimeMs(d.createdMs, now)}</td><td>{d.destinationId}</td><td><a href={`/events/${d.eventId}`}>{d.kind} v{d.version}</a></td>
              <td className={`status-${d.status}`}>{d.status}</td><td>{d.attempts}</td><td>{d.lastError ?? (d.lastStatusCode ? `HTTP ${d.lastStatusCode}` : '')}</td>
              <td className="actions">
                <button type="button" onClick={() => setOpen(open === d.id ? null : d.id)} aria-expanded={open === d.id}>Attempts</button>
                {d.status === 'failed' || d.status === 'dead' ? <button type="button" onClick={() => void run(async () => { unwrap(await api.POST('/api/deliveries/{id}/retry', { params: { path: { id: d.id } } })); return `delivery ${d.id} is due again now`; })}>Retry</button> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {open ? <Attempts id={open} /> : null}
    </section>
  );
}

function Attempts({ id }: { id: string }) {
  const q = useQuery({ queryKey: ['delivery', id], queryFn: async () => unwrap(await api.GET('/api/deliveries/{id}', { params: { path: { id } } })) });
  if (!q.data) return <p role="status" className="muted">Loading the attempts…</p>;
  return (
    <table aria-label={`Attempts of delivery ${id}`}>
      <thead><tr><th scope="col">#</th><th scope="col">When</th><th scope="col">Verdict</th><th scope="col">Answer</th><th scope="col">Took</th></tr></thead>
      <tbody>{(q.data.attemptLog ?? []).map((a) => <tr key={a.attempt}><td>{a.attempt}</td><td>{formatTimeMs(a.atMs, Date.now())}</td><td>{a.verdict}</td><td>{a.error ?? (a.statusCode ? `HTTP ${a.statusCode}` : '')}</td><td>{Math.round(a.latencyMs)} ms</td></tr>)}</tbody>
    </table>
  );
}

function AddWebhook({ onAdded }: { onAdded: (text: string) => void }) {
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    setError(null);
    const secret = newSecret();
    try {
      unwrap(await api.POST('/api/destinations', { body: { id: String(f.get('id')), type: 'webhook', url: String(f.get('url')), secret } }));
      form.reset();
      onAdded(`webhook ${String(f.get('id'))} added. Its signing secret, shown only now, for the receiver: ${secret}`);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <form className="inline" onSubmit={(e) => void submit(e)} aria-label="Add a webhook">
      <label>Id<input name="id" required pattern="[A-Za-z0-9_\-]+" placeholder="ops-webhook" /></label>
      <label>URL<input name="url" type="url" required placeholder="https://example.com/hooks/sightline" size={36} /></label>
      <button type="submit">Add webhook</button>
      {error ? <span className="error" role="alert">{error}</span> : null}
    </form>
  );
}
