/** Login, logout, who am I, and the password change (cookie sessions). */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { publicUser } from '../../auth/auth-service.ts';
import { SESSION_COOKIE } from '../access.ts';
import { ERRORS, LoginBody, PasswordBody, SessionSchema, UserSchema } from '../schemas.ts';
import { z } from 'zod';
import { requireAuth, type App, type RouteContext } from './context.ts';

const tags = ['auth'];

const origin = (req: FastifyRequest) => ({ address: req.ip, userAgent: req.headers['user-agent'] ?? null });

function setCookie(reply: FastifyReply, ctx: RouteContext, token: string, maxAgeSeconds: number): void {
  reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'strict', secure: ctx.secureCookies, maxAge: maxAgeSeconds });
}

/** Routes of accounts' own sessions; with authentication off, only `GET /api/auth/session` (the open principal). */
export async function authRoutes(app: App, ctx: RouteContext): Promise<void> {
  const auth = () => requireAuth(ctx, 'there is nothing to log in to');

  app.post('/api/auth/login', {
    config: { access: 'open', audit: 'auth.login' },
    schema: { tags, summary: 'Log in: sets the HttpOnly session cookie and returns the CSRF token for changes', body: LoginBody, response: { 200: SessionSchema, ...ERRORS } },
  }, async (req, reply) => {
    // The service audits logins itself (it knows the outcome and the user); the generic change entry is skipped.
    req.auditDetail = { skip: true };
    try {
      const { token, session, user } = await auth().login(req.body.username, req.body.password, origin(req));
      setCookie(reply, ctx, token, Math.floor((session.expiresMs - session.createdMs) / 1000));
      return { kind: 'session' as const, role: user.role, user, cameraIds: null, csrfToken: session.csrfToken, expiresMs: session.expiresMs, mustChangePassword: user.mustChangePassword };
    } catch (err) {
      const retry = (err as { retryAfterSeconds?: number }).retryAfterSeconds;
      if (retry) reply.header('retry-after', String(retry));
      throw err;
    }
  });

  app.post('/api/auth/logout', {
    config: { access: 'self', camera: 'handler', audit: 'auth.logout' },
    schema: { tags, summary: 'End this session (the cookie is cleared)', response: { 204: z.null().describe('no content'), ...ERRORS } },
  }, async (req, reply) => {
    req.auditDetail = { skip: true };
    if (ctx.auth) await ctx.auth.logout(req.principal, origin(req));
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send(null);
  });

  app.get('/api/auth/session', {
    config: { access: 'self', camera: 'handler' },
    schema: { tags, summary: 'Who is calling: role, user, camera scope, CSRF token, whether the password must be changed', response: { 200: SessionSchema, ...ERRORS } },
  }, async (req) => {
    const p = req.principal;
    const user = p.userId && ctx.auth ? await ctx.auth.store.getUser(p.userId) : null;
    const session = p.sessionId && ctx.auth ? await ctx.auth.store.getSession(p.sessionId) : null;
    return {
      kind: p.kind, role: p.role, user: user ? publicUser(user) : null, cameraIds: p.cameraIds ? [...p.cameraIds] : null,
      csrfToken: p.csrfToken ?? null, expiresMs: session?.expiresMs ?? null, mustChangePassword: p.mustChangePassword,
    };
  });

  app.post('/api/auth/password', {
    config: { access: 'self', camera: 'handler', audit: 'auth.password' },
    schema: { tags, summary: 'Change your own password; your other sessions end', body: PasswordBody, response: { 200: UserSchema, ...ERRORS } },
  }, async (req) => {
    req.auditDetail = { skip: true };
    return auth().changePassword(req.principal, req.body.currentPassword, req.body.newPassword, origin(req));
  });
}
