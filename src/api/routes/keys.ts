/** API keys: anyone signed in may create keys up to their own role and list or revoke their own; admins see all. */
import { CreatedKeySchema, CreateKeyBody, ERRORS, IdParams, KeyListSchema, KeySchema } from '../schemas.ts';
import { requireAuth, type App, type RouteContext } from './context.ts';

const tags = ['keys'];

export async function keyRoutes(app: App, ctx: RouteContext): Promise<void> {
  const auth = () => requireAuth(ctx, 'keys are not used');
  app.get('/api/keys', { config: { access: 'viewer', camera: 'handler' }, schema: { tags, summary: 'Your keys (an admin: every key), revoked ones included', response: { 200: KeyListSchema, ...ERRORS } } },
    async (req) => ({ keys: (await auth().listKeys(req.principal)).map((k) => ({ ...k, cameraIds: k.cameraIds ? [...k.cameraIds] : null })) }));
  app.post('/api/keys', {
    config: { access: 'viewer', camera: 'handler', audit: 'key.create' },
    schema: { tags, summary: 'Create a key (up to your own role, optionally for some cameras, optionally expiring); the key is shown once', body: CreateKeyBody, response: { 201: CreatedKeySchema, ...ERRORS } },
  }, async (req, reply) => {
    req.auditDetail = { skip: true };
    const { key, record } = await auth().createKey(req.principal, { name: req.body.name, role: req.body.role, cameraIds: req.body.cameras ?? null, expiresMs: req.body.expiresMs ?? null }, { address: req.ip });
    return reply.status(201).send({ key, record: { ...record, cameraIds: record.cameraIds ? [...record.cameraIds] : null } });
  });
  app.delete('/api/keys/:id', {
    config: { access: 'viewer', camera: 'handler', audit: 'key.revoke' },
    schema: { tags, summary: 'Revoke a key at once (open WebSockets using it close)', params: IdParams, response: { 200: KeySchema, ...ERRORS } },
  }, async (req) => {
    req.auditDetail = { skip: true };
    const k = await auth().revokeKey(req.principal, req.params.id, { address: req.ip });
    return { ...k, cameraIds: k.cameraIds ? [...k.cameraIds] : null };
  });
}
