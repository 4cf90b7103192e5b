/** User accounts (admin). */
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { publicUser } from '../../auth/auth-service.ts';
import { CreateUserBody, ERRORS, IdParams, UpdateUserBody, UserListSchema, UserSchema } from '../schemas.ts';
import { requireAuth, type App, type RouteContext } from './context.ts';

const tags = ['users'];

export async function userRoutes(app: App, ctx: RouteContext): Promise<void> {
  const auth = () => requireAuth(ctx, 'users are not used');
  const origin = (ip: string) => ({ address: ip });
  app.get('/api/users', { config: { access: 'admin' }, schema: { tags, summary: 'Every user', response: { 200: UserListSchema, ...ERRORS } } },
    async () => ({ users: (await auth().store.listUsers()).map(publicUser) }));
  app.post('/api/users', { config: { access: 'admin', audit: 'user.create' }, schema: { tags, summary: 'Create a user', body: CreateUserBody, response: { 201: UserSchema, ...ERRORS } } }, async (req, reply) => {
    req.auditDetail = { skip: true };
    return reply.status(201).send(await auth().createUser(req.principal, req.body, origin(req.ip)));
  });
  app.get('/api/users/:id', { config: { access: 'admin' }, schema: { tags, summary: 'One user', params: IdParams, response: { 200: UserSchema, ...ERRORS } } }, async (req) => {
    const u = await auth().store.getUser(req.params.id);
    if (!u) throw new AppError('USER_NOT_FOUND', `no user with id "${req.params.id}"`);
    return publicUser(u);
  });
  app.patch('/api/users/:id', {
    config: { access: 'admin', audit: 'user.update' },
    schema: { tags, summary: 'Change a user\'s role, reset their password or disable them (their sessions end)', params: IdParams, body: UpdateUserBody, response: { 200: UserSchema, ...ERRORS } },
  }, async (req) => {
    req.auditDetail = { skip: true };
    return auth().updateUser(req.principal, req.params.id, req.body, origin(req.ip));
  });
  app.delete('/api/users/:id', {
    config: { access: 'admin', audit: 'user.delete' },
    schema: { tags, summary: 'Delete a user with their sessions and keys', params: IdParams, response: { 204: z.null(), ...ERRORS } },
  }, async (req, reply) => {
    req.auditDetail = { skip: true };
    await auth().deleteUser(req.principal, req.params.id, origin(req.ip));
    return reply.status(204).send();
  });
}
