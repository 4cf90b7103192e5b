/**
 * GET /api/cluster: the nodes of the cluster (role, version, heartbeat, load, cameras), which node runs each camera
 * under which lease epoch, and Redis. On one box (`cluster.role: all`) the one node and its cameras.
 */
import { z } from 'zod';
import { ERRORS } from '../schemas.ts';
import type { App, RouteContext } from './context.ts';

export const ClusterViewSchema = z.object({
  self: z.string().describe('The id of the node that answered.'),
  role: z.enum(['all', 'api', 'worker']).describe('Its role.'),
  redis: z.object({ connected: z.boolean(), dropped: z.number().int().describe('Live messages dropped while Redis was away.') }).strict().nullable()
    .describe('The live-message relay of this node; null on one box.'),
  nodes: z.array(z.object({
    id: z.string(), role: z.string(), version: z.string(), host: z.string(), pid: z.number().int(), capacity: z.number(), draining: z.boolean(),
    startedMs: z.number(), heartbeatAgeMs: z.number().describe('Milliseconds since its last heartbeat (database clock).'),
    cameras: z.array(z.string()).describe('Cameras it runs.'),
    load: z.object({ cpu: z.number().describe('Share of one core over the last heartbeat.'), rssMb: z.number() }).strict().nullable(),
  }).strict()).describe('Live nodes (a heartbeat within the lease time).'),
  assignments: z.array(z.object({
    cameraId: z.string(), node: z.string().nullable().describe('The worker holding its lease; null: none now.'),
    epoch: z.number().int().nullable().describe('The lease epoch (fencing token); null on one box.'),
  }).strict()),
}).strict();

export type ClusterViewJson = z.infer<typeof ClusterViewSchema>;

export interface ClusterPort {
  view(): Promise<ClusterViewJson>;
}

export async function clusterRoutes(app: App, ctx: RouteContext & { cluster: ClusterPort }): Promise<void> {
  app.get('/api/cluster', {
    config: { access: 'viewer' },
    schema: { tags: ['cluster'], summary: 'Nodes, roles, versions, heartbeats, load and which node runs each camera', response: { 200: ClusterViewSchema, ...ERRORS } },
  }, () => ctx.cluster.view());
}
