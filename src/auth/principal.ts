/** Who is making a request, once their session or key is checked (pure). */
import type { Role } from './roles.ts';

export interface Principal {
  /** `session`: a browser login; `key`: an API key; `link`: a signed media link; `open`: authentication is off (loopback only). */
  readonly kind: 'session' | 'key' | 'link' | 'open';
  readonly role: Role;
  readonly userId: string | null;
  readonly username: string | null;
  /** How the audit log names them: `user:NAME`, `key:PREFIX` or `open`. */
  readonly actor: string;
  /** Cameras they may see; null = all. */
  readonly cameraIds: readonly string[] | null;
  readonly sessionId?: string;
  readonly keyId?: string;
  /** A cookie-authenticated change must carry this in `x-csrf-token`. */
  readonly csrfToken?: string;
  /** Only the password change (and logout, whoami) is allowed until the generated password is replaced. */
  readonly mustChangePassword: boolean;
}

/** The principal of a server with authentication off: everything is allowed (it listens on loopback only). */
export const OPEN_PRINCIPAL: Principal = { kind: 'open', role: 'admin', userId: null, username: null, actor: 'open', cameraIds: null, mustChangePassword: false };

/** True when the principal may see `cameraId`. */
export function canSeeCamera(p: Principal, cameraId: string): boolean {
  return p.cameraIds === null || p.cameraIds.includes(cameraId);
}

/** The principal of a valid signed link (a snapshot URL sent in a webhook or e-mail): that one file, nothing else. */
export const LINK_PRINCIPAL: Principal = { kind: 'link', role: 'viewer', userId: null, username: null, actor: 'signed-link', cameraIds: null, mustChangePassword: false };
