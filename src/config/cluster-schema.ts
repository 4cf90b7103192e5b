/**
 * The `cluster` section: which part of the server this process runs (`all`, `api`, `worker`) and how nodes of a
 * cluster share PostgreSQL (the system of record, camera leases) and Redis (live messages). One process with
 * `role: all` on PGlite is the default and needs none of it. See docs/cluster.md.
 */
import { z } from 'zod';
import { between } from './schema-parts.ts';

export const CLUSTER_ROLES = ['all', 'api', 'worker'] as const;
export type ClusterRole = (typeof CLUSTER_ROLES)[number];

export const ClusterSchema = z
  .object({
    role: z.enum(CLUSTER_ROLES, { error: 'expected one of all, api, worker' }).default('all')
      .describe('What this process runs: `all` (HTTP API and cameras, one box; the default), `api` (HTTP and WebSocket, no cameras) or `worker` (cameras, batch jobs and deliveries, no public HTTP). `api` and `worker` need PostgreSQL (`database.url`) and Redis (`cluster.redisUrl`). CLI: `sightline serve --role ROLE`.'),
    nodeId: z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, { error: 'expected 1-100 letters, digits, "_", ".", ":" or "-"' }).optional()
      .describe('This node\'s id in the cluster; default the id kept in dataDir/node-id. Two running nodes must not share one.'),
    redisUrl: z.string().regex(/^rediss?:\/\//, { error: 'expected a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379' }).optional()
      .describe('Redis (or Valkey) carrying live messages (tracks, events, camera status) between nodes.'),
    advertiseUrl: z.string().regex(/^https?:\/\/[^/]+$/, { error: 'expected http://HOST:PORT (no path), e.g. http://10.0.0.5:8080' }).optional()
      .describe('Where the API nodes reach this worker\'s internal HTTP (live video, snapshots, /metrics, /api/health): default http://HOST:PORT of server.host (this machine\'s name when it is a wildcard) and the port it listens on. Keep it on a private network: it is guarded by a secret the nodes share through the database, not by user logins.'),
    capacity: between(0.1, 1000).default(1)
      .describe('This worker\'s share of the cameras, relative to the other workers\' (a worker with 2 gets twice the cameras of one with 1).'),
    leaseMs: between(3000, 120_000, { int: true }).default(6000)
      .describe('How long a worker holds a camera without renewing its lease (ms). A worker that dies loses its cameras to the others this long after its last renewal; a worker cut off from the database stops them before then.'),
    heartbeatMs: between(200, 10_000, { int: true }).default(1000)
      .describe('How often a node renews its heartbeat and leases and looks at the assignment (ms); at most a quarter of leaseMs.'),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.heartbeatMs * 4 > c.leaseMs) {
      ctx.addIssue({ code: 'custom', path: ['heartbeatMs'], message: `expected at most a quarter of leaseMs (${c.leaseMs} ms) so that two renewals can fail before a worker stops its cameras, got ${c.heartbeatMs}` });
    }
  });

export type ClusterConfig = z.infer<typeof ClusterSchema>;
