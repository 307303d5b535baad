import type { StoredAuthor, StoredUser } from '../read-model/stored.js';

export interface UserReadStore {
  findById(userId: string): Promise<StoredUser | null>;
  /** `usernameKey` is Username.keyOf(...): look-ups ignore case. */
  findProfileByUsernameKey(usernameKey: string): Promise<StoredAuthor | null>;
}
export const UserReadStore = Symbol.for('UserReadStore');
