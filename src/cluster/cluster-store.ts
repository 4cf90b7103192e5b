/**
 * The port through which a node keeps its place in the cluster: heartbeats, the list of live nodes, and camera leases
 * with fencing epochs. Implemented on SQL by `store/cluster-repository.ts`; times in it are the database's clock.
 */
import type { ClusterRole } from '../config/cluster-schema.ts';

/** Who a node is: fixed for the life of its process. */
export interface NodeIdentity {
  readonly id: string;
  /** Random per process start: two processes with one node id are told apart. */
  readonly instance: string;
  readonly role: ClusterRole;
  readonly version: string;
  readonly host: string;
  readonly pid: number;
  readonly capacity: number;
}

/** What a node says of itself at each heartbeat. */
export interface NodeReport extends NodeIdentity {
  readonly draining: boolean;
  /** What the node is doing (its cameras' status, load); shown by GET /api/cluster and the API nodes. */
  readonly status: NodeStatus;
}

export interface NodeStatus {
  /** Where the other nodes reach this node's internal HTTP (a worker's live video and snapshots). */
  readonly url?: string;
  /** The cameras this node runs, as `CameraStatus` objects (kept opaque here). */
  readonly cameras?: readonly ({ readonly id: string } & Record<string, unknown>)[];
  /** Process figures: CPU share of one core, resident memory. */
  readonly load?: { readonly cpu: number; readonly rssMb: number };
}

/** A node as stored, with the database's view of its age. */
export interface NodeRecord extends NodeReport {
  readonly startedMs: number;
  readonly heartbeatMs: number;
  /** Milliseconds since its last heartbeat, by the database's clock. */
  readonly ageMs: number;
}

/** A camera lease held now. */
export interface HeldLease {
  readonly cameraId: string;
  readonly epoch: number;
}

/** A camera lease as stored. */
export interface LeaseRecord {
  readonly cameraId: string;
  /** Null after a release. */
  readonly owner: string | null;
  readonly epoch: number;
  /** Whether it is still in force by the database's clock. */
  readonly live: boolean;
  readonly leaseUntilMs: number;
  readonly acquiredMs: number;
}

/** One lease from acquisition to its end (release or expiry); `endedMs` null while it is held. */
export interface LeaseInterval {
  readonly cameraId: string;
  readonly epoch: number;
  readonly owner: string;
  readonly acquiredMs: number;
  readonly endedMs: number | null;
  readonly endReason: 'released' | 'expired' | null;
}

export interface ClusterStore {
  /**
   * Records the node's heartbeat. False when another live process (another `instance`) holds this node id: its last
   * heartbeat is younger than `staleMs`.
   */
  heartbeat(node: NodeReport, staleMs: number): Promise<boolean>;
  /** Nodes whose last heartbeat is younger than `maxAgeMs` (all stored nodes when omitted). */
  nodes(maxAgeMs?: number): Promise<NodeRecord[]>;
  /** Removes the node's row (a clean stop). */
  leave(nodeId: string, instance: string): Promise<void>;
  leases(): Promise<LeaseRecord[]>;
  /** Extends the live leases `owner` holds of `cameraIds` by `ttlMs`; returns those it still holds. */
  renew(owner: string, ttlMs: number, cameraIds: readonly string[]): Promise<HeldLease[]>;
  /** Takes a camera's lease when it is free or expired (the next epoch), or confirms one `owner` holds; null when another holds it. */
  acquire(cameraId: string, owner: string, ttlMs: number): Promise<HeldLease | null>;
  /** Gives up leases (after the cameras stopped). */
  release(owner: string, cameraIds: readonly string[]): Promise<void>;
  /**
   * A value every node of the cluster must share (the secret nodes show each other on their internal HTTP, the key
   * that signs snapshot links): the stored one, or `generate()`'s, stored by the first node that asks.
   */
  sharedSecret(name: 'internal_secret' | 'link_signing_key', generate: () => string): Promise<string>;
  /** Every lease interval of the cameras (tests and audits). */
  history(cameraIds?: readonly string[]): Promise<LeaseInterval[]>;
}
