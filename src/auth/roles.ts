/** Roles, ordered: each includes what the ones before it may do (pure). */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** True when `role` may do what `needed` may. */
export function includesRole(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** What each role may do, in words (docs and error messages). */
export const ROLE_MEANING: Readonly<Record<Role, string>> = {
  viewer: 'live view, events, recordings, snapshots, clips, analytics',
  operator: 'viewer + keep/acknowledge events, edit zones, lines and rules',
  admin: 'operator + cameras, users, API keys of everyone, delivery destinations, models, settings, audit',
};
