/** What every route plugin gets: the ports of the API and the shared lookups. */
import type { FastifyInstance, FastifyTypeProvider, RawServerDefault } from 'fastify';
import type { z } from 'zod';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { AuthService } from '../../auth/auth-service.ts';
import type { ConfigService } from '../../manage/config-service.ts';
import { AppError } from '../../core/errors.ts';
import type { SightEvent } from '../../core/types.ts';
import type { Recordings } from '../../recording/recordings.ts';
import type { DeliveryService } from '../../senders/delivery-service.ts';
import type { AnalyticsStore } from '../../store/analytics-repository.ts';
import type { EventStore } from '../../store/event-repository.ts';
import type { MediaStore } from '../../store/media-store.ts';
import type { CameraHandle } from '../camera-handle.ts';
import type { LiveHub } from '../live-hub.ts';

/** Requests typed from their zod schemas; replies are checked against the schemas by the tests, not by the compiler. */
export interface ZodRequestTypes extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodType ? z.output<this['schema']> : unknown;
  serializer: unknown;
}

export type App = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger, ZodRequestTypes>;

export interface RouteContext {
  readonly cameras: () => readonly CameraHandle[];
  readonly findCamera: (id: string) => CameraHandle;
  readonly findEvent: (id: string) => Promise<SightEvent>;
  readonly events: EventStore;
  readonly analytics: AnalyticsStore;
  readonly media: MediaStore;
  readonly hub: LiveHub;
  readonly now: () => number;
  readonly recordings?: Recordings | undefined;
  readonly delivery?: DeliveryService | undefined;
  readonly linkKey?: Uint8Array | undefined;
  /** The runtime configuration; absent: no configuration routes (tests that build the API alone). */
  readonly configs?: ConfigService | undefined;
  /** The frame a camera's last zone/line/rule change took effect at. */
  readonly appliedAt?: ((cameraId: string) => Promise<number | null>) | undefined;
  /** Null when authentication is off. */
  readonly auth: AuthService | null;
  /** Session cookies get the Secure flag (TLS is on). */
  readonly secureCookies: boolean;
  readonly session: { readonly idleMinutes: number; readonly maxHours: number };
}

/** The auth service, or BAD_REQUEST naming `what` when authentication is turned off (accounts are not used then). */
export function requireAuth(ctx: RouteContext, what: string): AuthService {
  if (!ctx.auth) throw new AppError('BAD_REQUEST', `authentication is turned off on this server (auth.enabled: false); ${what}`);
  return ctx.auth;
}
