export type Role = 'user' | 'admin';

/** Who is asking: the authenticated user and their role. */
export interface Actor {
  readonly userId: string;
  readonly role: Role;
}

export const canActOnBehalfOf = (actor: Actor, ownerId: string): boolean =>
  actor.userId === ownerId || actor.role === 'admin';

/**
 * True when `actor` may act on what `ownerId` owns only because they are an admin: the
 * actions that are audited (an admin deleting someone else's article or comment).
 */
export const actsWithPrivilege = (actor: Actor, ownerId: string): boolean =>
  actor.userId !== ownerId && actor.role === 'admin';
