/**
 * The configuration as a whole (admin): the managed document, its versions (who, when, what changed), rollback by one
 * version, export as a YAML file that `config check` accepts and that recreates the installation, import of such a
 * file, settings (recording retention, default model), and delivery destinations (secrets write-only).
 */
import { stringify } from 'yaml';
import { z } from 'zod';
import { DestinationSchema } from '../../config/delivery-schema.ts';
import { parseYaml, validateConfig } from '../../config/load.ts';
import { AppError } from '../../core/errors.ts';
import type { ConfigService } from '../../manage/config-service.ts';
import { mergePatch } from '../../manage/merge-patch.ts';
import { equalJson, maskSecrets, restoreSecrets, siteDocumentOf } from '../../manage/site-document.ts';
import { ChangeResultSchema, ConfigObject, DocumentSchema, SettingsSchema, VersionInfoSchema } from '../config-schemas.ts';
import { ERRORS, IdParams, queryInt } from '../schemas.ts';
import { actorOf, checked } from './camera-config.ts';
import type { App, RouteContext } from './context.ts';

const tags = ['configuration'];
const admin = (audit?: string): { access: 'admin'; audit?: string } => (audit ? { access: 'admin', audit } : { access: 'admin' });

const VersionParams = z.object({ version: queryInt(1, 2_000_000_000) }).strict();
const VersionsQuery = z.object({ limit: queryInt(1, 500).optional(), before: queryInt(1, 2_000_000_000).optional() }).strict();
const ExportQuery = z.object({ secrets: z.enum(['include', 'mask']).optional().describe('`include` (default): a file that recreates the installation; `mask`: for sharing.') }).strict();
const ImportResultSchema = ChangeResultSchema.extend({
  ignored: z.array(z.string()).describe('Top-level keys of the file that differ from the running server but are read at start only (server, auth, database, ...).'),
}).strict();

/** Keys of the configuration that are read at start only (not managed at runtime). */
const START_ONLY = ['server', 'auth', 'dataDir', 'assets', 'database', 'log'] as const;

/** Secret fields of a destination that a change may leave out to keep the stored value. */
function keepOmittedSecrets(next: Record<string, unknown>, stored: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!stored) return next;
  const out = { ...next };
  for (const k of ['secret', 'password']) if (out[k] === undefined && stored[k] !== undefined && out['type'] === stored['type']) out[k] = stored[k];
  const smtp = out['smtp'] as Record<string, unknown> | undefined;
  const storedSmtp = stored['smtp'] as Record<string, unknown> | undefined;
  if (smtp && storedSmtp && smtp['password'] === undefined && storedSmtp['password'] !== undefined) out['smtp'] = { ...smtp, password: storedSmtp['password'] };
  return out;
}

export async function configRoutes(app: App, ctx: RouteContext & { configs: ConfigService }): Promise<void> {
  const { configs } = ctx;
  app.addContentTypeParser(['application/yaml', 'application/x-yaml', 'text/yaml'], { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.get('/api/config', {
    config: admin(),
    schema: { tags, summary: 'The managed configuration in force (cameras, delivery, recording, models.default), secrets masked', response: { 200: DocumentSchema, ...ERRORS } },
  }, () => ({ version: configs.version, document: maskSecrets(siteDocumentOf(configs.current())) as unknown as Record<string, unknown> }));

  app.get('/api/config/export', {
    config: admin('config.export'),
    schema: { tags, summary: 'The whole configuration as a YAML file: `sightline config check` accepts it and `serve` on an empty data folder recreates this installation', querystring: ExportQuery, response: { 200: z.string().describe('application/yaml'), ...ERRORS } },
  }, (req, reply) => {
    const config = configs.current();
    const body = req.query.secrets === 'mask' ? maskSecrets(config) : config;
    const text = `# Sightline configuration, version ${configs.version}, exported ${new Date(ctx.now()).toISOString()}\n${stringify(body, { aliasDuplicateObjects: false })}`;
    return reply.type('application/yaml; charset=utf-8').header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="sightline-config-v${configs.version}.yaml"`).send(text);
  });

  app.put('/api/config', {
    config: admin('config.import'),
    schema: {
      tags, summary: 'Import a configuration file (YAML, or JSON): its cameras, delivery, recording and models.default replace the ones in force, as one new version',
      body: z.union([z.string(), z.record(z.string(), z.unknown())]).describe('The file as YAML text (Content-Type: application/yaml) or as a JSON object.'),
      response: { 200: ImportResultSchema, ...ERRORS },
    },
  }, async (req) => {
    let raw: unknown = req.body;
    if (typeof raw === 'string') {
      const parsed = parseYaml(raw, 'the uploaded file');
      if (!parsed.ok) throw new AppError('CONFIG_REJECTED', `${parsed.problems.map((p) => `${p.path ? `${p.path}: ` : ''}${p.message}`).join('; ')}; nothing was changed`);
      raw = parsed.raw;
    }
    const v = validateConfig(raw);
    if (!v.ok) throw new AppError('CONFIG_REJECTED', `${v.problems.slice(0, 8).map((p) => `${p.path}: ${p.message}`).join('; ')}; nothing was changed`);
    const current = configs.current();
    const ignored = START_ONLY.filter((k) => !equalJson(v.config[k], current[k])).map(String);
    if (!equalJson(v.config.models, { ...current.models, default: v.config.models.default })) ignored.push('models (besides models.default)');
    const r = await configs.replace(actorOf(req), 'import', siteDocumentOf(v.config));
    req.auditDetail = { target: 'config', after: { version: r.version, changes: r.changes.length } };
    return { version: r.version, changes: r.changes, ignored };
  });

  app.get('/api/config/versions', {
    config: admin(),
    schema: { tags, summary: 'Configuration versions, newest first: who, when, what changed', querystring: VersionsQuery, response: { 200: z.object({ current: z.number().int(), versions: z.array(VersionInfoSchema) }).strict(), ...ERRORS } },
  }, async (req) => ({
    current: configs.version,
    versions: await configs.versions({ limit: req.query.limit === undefined ? 50 : Number(req.query.limit), before: req.query.before === undefined ? undefined : Number(req.query.before) }),
  }));

  app.get('/api/config/versions/:version', {
    config: admin(),
    schema: { tags, summary: 'One version with its whole document (secrets masked)', params: VersionParams, response: { 200: VersionInfoSchema.extend({ document: z.record(z.string(), z.unknown()) }).strict(), ...ERRORS } },
  }, async (req) => {
    const v = await configs.versionDetail(Number(req.params.version));
    return { version: v.version, createdMs: v.createdMs, actor: v.actor, action: v.action, changes: v.changes, document: maskSecrets(v.document) as Record<string, unknown> };
  });

  app.post('/api/config/rollback', {
    config: admin('config.rollback'),
    schema: { tags, summary: 'Go back one version: the document of the version before the current one is put in force as a new version', response: { 200: ChangeResultSchema, ...ERRORS } },
  }, async (req) => {
    const r = await configs.rollback(actorOf(req));
    req.auditDetail = { target: 'config', after: { version: r.version, changes: r.changes.length } };
    return { version: r.version, changes: r.changes };
  });

  const settings = () => ({ recording: { ...configs.current().recording }, models: { default: configs.current().models.default } });
  app.get('/api/settings', {
    config: admin(),
    schema: { tags, summary: 'Settings: recording retention over all cameras, the default detector', response: { 200: SettingsSchema, ...ERRORS } },
  }, settings);

  app.patch('/api/settings', {
    config: admin('settings.update'),
    schema: { tags, summary: 'Change settings (JSON Merge Patch of GET /api/settings)', body: ConfigObject('Settings'), response: { 200: SettingsSchema.extend(ChangeResultSchema.shape).strict(), ...ERRORS } },
  }, async (req) => {
    const before = settings();
    const next = checked(z.object({ recording: z.record(z.string(), z.unknown()), models: z.object({ default: z.string().min(1) }).strict() }).strict(), mergePatch(before, req.body), 'body');
    const r = await configs.change(actorOf(req), 'settings.update', (d) => {
      d.recording = next.recording;
      d.models = next.models;
    });
    req.auditDetail = { target: 'settings', before, after: settings() };
    return { ...settings(), version: r.version, changes: r.changes };
  });

  // Delivery destinations. Secrets are write-only: never shown, and a change that leaves them out keeps them.
  const destinationView = (id: string) => {
    const d = configs.current().delivery.destinations.find((x) => x.id === id);
    return d ? (maskSecrets(d) as unknown as Record<string, unknown>) : null;
  };
  const destinationIndex = (list: Record<string, unknown>[], id: string) => {
    const i = list.findIndex((x) => x['id'] === id);
    if (i < 0) throw new AppError('DESTINATION_NOT_FOUND', `no destination "${id}"; destinations: ${list.map((x) => x['id']).join(', ') || 'none'}`);
    return i;
  };
  const DestinationChange = ChangeResultSchema.extend({ destination: z.record(z.string(), z.unknown()).nullable() }).strict();

  app.post('/api/destinations', {
    config: admin('destination.create'),
    schema: { tags: ['delivery'], summary: 'Add a delivery destination (webhook, mqtt, email); it is checked once and starts at once', body: ConfigObject('A destination'), response: { 201: DestinationChange, ...ERRORS } },
  }, async (req, reply) => {
    const d = checked(DestinationSchema, req.body, 'body');
    const r = await configs.change(actorOf(req), 'destination.create', (draft) => {
      if (draft.delivery.destinations.some((x) => x['id'] === d.id)) throw new AppError('ALREADY_EXISTS', `a destination "${d.id}" exists; PUT /api/destinations/${d.id} changes it`);
      draft.delivery.destinations.push(req.body);
    });
    req.auditDetail = { target: d.id, after: maskSecrets(req.body) };
    return reply.code(201).send({ version: r.version, changes: r.changes, destination: destinationView(d.id) });
  });

  app.get('/api/destinations/:id/config', {
    config: admin(),
    schema: { tags: ['delivery'], summary: 'A destination\'s configuration (secrets masked)', params: IdParams, response: { 200: ConfigObject('The destination'), ...ERRORS } },
  }, (req) => {
    const view = destinationView(req.params.id);
    if (!view) throw new AppError('DESTINATION_NOT_FOUND', `no destination "${req.params.id}"`);
    return view;
  });

  app.put('/api/destinations/:id', {
    config: admin('destination.update'),
    schema: { tags: ['delivery'], summary: 'Replace a destination (secrets left out or masked keep their stored values)', params: IdParams, body: ConfigObject('The destination'), response: { 200: DestinationChange, ...ERRORS } },
  }, async (req) => {
    const id = req.params.id;
    let before: unknown;
    const r = await configs.change(actorOf(req), 'destination.update', (draft) => {
      const list = draft.delivery.destinations;
      const i = destinationIndex(list, id);
      before = list[i];
      const next = keepOmittedSecrets({ ...req.body, id: req.body['id'] ?? id }, list[i]);
      if (next['id'] !== id) throw new AppError('CONFIG_REJECTED', `body.id: expected "${id}" (a destination's id cannot change), got ${JSON.stringify(next['id'])}`);
      checked(DestinationSchema, restoreSecrets(next, list[i]), 'body');
      list[i] = next;
    });
    req.auditDetail = { target: id, before: maskSecrets(before), after: destinationView(id) };
    return { version: r.version, changes: r.changes, destination: destinationView(id) };
  });

  app.delete('/api/destinations/:id', {
    config: admin('destination.delete'),
    schema: { tags: ['delivery'], summary: 'Remove a destination (its deliveries stay in the outbox, listed, not sent)', params: IdParams, response: { 200: DestinationChange, ...ERRORS } },
  }, async (req) => {
    let before: unknown;
    const r = await configs.change(actorOf(req), 'destination.delete', (draft) => {
      const i = destinationIndex(draft.delivery.destinations, req.params.id);
      before = draft.delivery.destinations[i];
      draft.delivery.destinations.splice(i, 1);
    });
    req.auditDetail = { target: req.params.id, before: maskSecrets(before) };
    return { version: r.version, changes: r.changes, destination: null };
  });
}
