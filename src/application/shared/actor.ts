import { Err, Ok, type Result } from 'ts-results-es';
import type { Actor, User } from '../../domain/index.js';
import type { UserRepository } from '../users/user.repository.js';
import { unknownActor, type UnknownActor } from './errors.js';

/** A loaded user as the domain needs them for permission checks (id and role). */
export const actorOf = (user: User): Actor => ({ userId: user.id, role: user.role });

/** The authenticated user as the domain needs them for permission checks (id and role). */
export async function loadActor(users: UserRepository, userId: string): Promise<Result<Actor, UnknownActor>> {
  const user = await users.findById(userId);
  return user === null ? Err(unknownActor()) : Ok(actorOf(user));
}
