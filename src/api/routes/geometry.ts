/**
 * A camera's zones, lines and rules (operator): list, add, replace one, delete one, or replace the whole list. Each
 * change is validated with the file's schema (a rule naming a zone that is not there is refused with its path), stored
 * as a configuration version, and in force from the camera's next frame without a restart: the answer says which
 * frame.
 */
import { z } from 'zod';
import { LineSchema, RuleSchema, ZoneSchema } from '../../config/rules-schema.ts';
import { AppError } from '../../core/errors.ts';
import type { ConfigService } from '../../manage/config-service.ts';
import { ItemChangeSchema, ConfigObject } from '../config-schemas.ts';
import { ERRORS, IdParam, IdParams } from '../schemas.ts';
import { actorOf, cameraIndex, checked } from './camera-config.ts';
import type { App, RouteContext } from './context.ts';

const tags = ['configuration'];
const KINDS = { zones: { schema: ZoneSchema, one: 'zone' }, lines: { schema: LineSchema, one: 'line' }, rules: { schema: RuleSchema, one: 'rule' } } as const;
type Kind = keyof typeof KINDS;

const ItemParams = z.object({ id: IdParam, itemId: IdParam }).strict();
const ListSchema = z.object({ items: z.array(z.record(z.string(), z.unknown())), version: z.number().int() }).strict();
const ListBody = z.object({ items: z.array(z.record(z.string(), z.unknown())).max(500) }).strict();

/** How long a change waits for the camera's next frame before answering (the change is in force either way). */
const APPLY_WAIT_MS = 5000;

export async function geometryRoutes(app: App, ctx: RouteContext & { configs: ConfigService; appliedAt: (cameraId: string) => Promise<number | null> }): Promise<void> {
  const { configs } = ctx;
  const operator = (audit: string) => ({ access: 'operator' as const, camera: 'param' as const, audit });

  const items = (cameraId: string, kind: Kind): Record<string, unknown>[] => {
    const cam = configs.current().cameras.find((c) => c.id === cameraId);
    if (!cam) throw new AppError('CAMERA_NOT_FOUND', `no camera "${cameraId}" in the configuration; cameras: ${configs.current().cameras.map((c) => c.id).join(', ') || 'none'}`);
    return cam[kind] as unknown as Record<string, unknown>[];
  };

  /** Runs a change of one camera's list and waits (a little) for the frame it takes effect at. */
  const change = async (req: { params: { id: string }; principal: { actor: string } }, kind: Kind, action: string, edit: (list: Record<string, unknown>[]) => void) => {
    const r = await configs.change(actorOf(req), `${KINDS[kind].one}.${action}`, (d) => {
      const cam = d.cameras[cameraIndex(d, req.params.id)]!;
      const list = (cam[kind] ?? []) as Record<string, unknown>[];
      edit(list);
      cam[kind] = list;
    });
    const timeout = new Promise<null>((resolve) => (setTimeout(resolve, APPLY_WAIT_MS) as unknown as { unref(): void }).unref());
    const appliedAtFrame = r.changes.length === 0 ? null : await Promise.race([ctx.appliedAt(req.params.id), timeout]);
    return { version: r.version, changes: r.changes, appliedAtFrame };
  };

  for (const kind of Object.keys(KINDS) as Kind[]) {
    const { schema, one } = KINDS[kind];
    const base = `/api/cameras/:id/${kind}`;
    const find = (list: Record<string, unknown>[], id: string) => {
      const i = list.findIndex((x) => x['id'] === id);
      if (i < 0) throw new AppError('ITEM_NOT_FOUND', `camera has no ${one} "${id}"; ${kind}: ${list.map((x) => x['id']).join(', ') || 'none'}`);
      return i;
    };

    app.get(base, {
      config: { access: 'viewer', camera: 'param' },
      schema: { tags, summary: `The camera's ${kind}`, params: IdParams, response: { 200: ListSchema, ...ERRORS } },
    }, (req) => ({ items: items(req.params.id, kind), version: configs.version }));

    app.put(base, {
      config: operator(`${one}.replace-all`),
      schema: { tags, summary: `Replace all of the camera's ${kind} (order kept)`, params: IdParams, body: ListBody, response: { 200: ItemChangeSchema, ...ERRORS } },
    }, async (req) => {
      req.body.items.forEach((x, i) => checked(schema, x, `body.items[${i}]`));
      const r = await change(req, kind, 'replace-all', (list) => list.splice(0, list.length, ...req.body.items));
      req.auditDetail = { target: `${req.params.id}/${kind}`, after: req.body.items };
      return { ...r, item: null };
    });

    app.post(base, {
      config: operator(`${one}.create`),
      schema: { tags, summary: `Add a ${one} to the camera`, params: IdParams, body: ConfigObject(`A ${one}`), response: { 201: ItemChangeSchema, ...ERRORS } },
    }, async (req, reply) => {
      const item = checked(schema, req.body, 'body') as { id: string };
      const r = await change(req, kind, 'create', (list) => {
        if (list.some((x) => x['id'] === item.id)) throw new AppError('ALREADY_EXISTS', `the camera has a ${one} "${item.id}"; PUT ${base.replace(':id', req.params.id)}/${item.id} changes it`);
        list.push(req.body);
      });
      req.auditDetail = { target: `${req.params.id}/${kind}/${item.id}`, after: req.body };
      return reply.code(201).send({ ...r, item: items(req.params.id, kind).find((x) => x['id'] === item.id) ?? null });
    });

    app.put(`${base}/:itemId`, {
      config: operator(`${one}.update`),
      schema: { tags, summary: `Replace one of the camera's ${kind}`, params: ItemParams, body: ConfigObject(`The ${one}`), response: { 200: ItemChangeSchema, ...ERRORS } },
    }, async (req) => {
      const body = { ...req.body, id: req.body['id'] ?? req.params.itemId };
      checked(schema, body, 'body');
      if (body['id'] !== req.params.itemId) throw new AppError('CONFIG_REJECTED', `body.id: expected "${req.params.itemId}" (ids cannot change; add a new ${one} and delete this one), got ${JSON.stringify(body['id'])}`);
      let before: unknown;
      const r = await change(req, kind, 'update', (list) => {
        const i = find(list, req.params.itemId);
        before = list[i];
        list[i] = body;
      });
      req.auditDetail = { target: `${req.params.id}/${kind}/${req.params.itemId}`, before, after: body };
      return { ...r, item: items(req.params.id, kind).find((x) => x['id'] === req.params.itemId) ?? null };
    });

    app.delete(`${base}/:itemId`, {
      config: operator(`${one}.delete`),
      schema: { tags, summary: `Remove one of the camera's ${kind} (refused while a rule uses it)`, params: ItemParams, response: { 200: ItemChangeSchema, ...ERRORS } },
    }, async (req) => {
      let before: unknown;
      const r = await change(req, kind, 'delete', (list) => {
        const i = find(list, req.params.itemId);
        before = list[i];
        list.splice(i, 1);
      });
      req.auditDetail = { target: `${req.params.id}/${kind}/${req.params.itemId}`, before };
      return { ...r, item: null };
    });
  }
}
