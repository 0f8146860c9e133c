import type { TokenRole } from '../workspace/tokens.js';

/**
 * The role a route needs. `public` routes need no token (health, the OpenAPI document and its
 * UI); every other route needs a token whose role {@link roleAllows} it.
 */
export type RouteRole = TokenRole | 'public';

/**
 * The role lattice: viewer < operator, viewer < approver, and admin above all. Operators and
 * approvers are apart on purpose: the one who starts a change is not the one who approves it.
 */
export function roleAllows(held: TokenRole, needed: TokenRole): boolean {
  return held === needed || held === 'admin' || needed === 'viewer';
}

/** The token roles a route admits, for documentation and tests. */
export function rolesAdmitted(needed: RouteRole): TokenRole[] {
  const all: TokenRole[] = ['viewer', 'operator', 'approver', 'admin'];
  return needed === 'public' ? all : all.filter((held) => roleAllows(held, needed));
}
