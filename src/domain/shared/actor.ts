export type Role = 'user' | 'admin';

/** Who is asking: the authenticated user and their role. */
export interface Actor {
  readonly userId: string;
  readonly role: Role;
}

export const canActOnBehalfOf = (actor: Actor, ownerId: string): boolean =>
  actor.userId === ownerId || actor.role === 'admin';
