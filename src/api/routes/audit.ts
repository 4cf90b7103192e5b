/** The audit log (admin). */
import { AppError } from '../../core/errors.ts';
import { AuditListSchema, AuditQuery, ERRORS } from '../schemas.ts';
import { requireAuth, type App, type RouteContext } from './context.ts';

const time = (name: string, v: string | undefined): number | undefined => {
  if (v === undefined || v === '') return undefined;
  if (!/^\d{1,16}$/.test(v)) throw new AppError('BAD_REQUEST', `${name}: expected a time in ms since the epoch, got "${v.slice(0, 40)}"`);
  return Number(v);
};

export async function auditRoutes(app: App, ctx: RouteContext): Promise<void> {
  app.get('/api/audit', {
    config: { access: 'admin' },
    schema: {
      tags: ['audit'], summary: 'Audit log, newest first: every change and every login (actor, action, target, address, outcome, before/after); action "user." matches every user action',
      querystring: AuditQuery, response: { 200: AuditListSchema, ...ERRORS },
    },
  }, async (req) => {
    const auth = requireAuth(ctx, 'nothing is audited');
    const q = req.query;
    const limit = time('limit', q.limit);
    if (limit !== undefined && (limit < 1 || limit > 1000)) throw new AppError('BAD_REQUEST', `limit: expected a whole number between 1 and 1000, got ${limit}`);
    const [before, fromMs, toMs] = [time('before', q.before), time('from', q.from), time('to', q.to)];
    const entries = await auth.store.listAudit({
      ...(q.actor ? { actor: q.actor } : {}), ...(q.action ? { action: q.action } : {}), ...(before !== undefined ? { beforeId: String(before) } : {}),
      ...(fromMs !== undefined ? { fromMs } : {}), ...(toMs !== undefined ? { toMs } : {}), ...(limit !== undefined ? { limit } : {}),
    });
    return { entries };
  });
}
