import type { AuthorReadModel, UserReadModel } from './read-models.js';

export interface UserReadStore {
  findById(userId: string): Promise<UserReadModel | null>;
  /** `usernameKey` is Username.keyOf(...): look-ups ignore case. */
  findProfileByUsernameKey(usernameKey: string): Promise<AuthorReadModel | null>;
}
export const UserReadStore = Symbol.for('UserReadStore');
