import { inject, injectable } from 'inversify';
import type { StoredAuthor, StoredUser } from '../../application/read-model/stored.js';
import type { UserReadStore } from '../../application/users/user.read-store.js';
import { Username } from '../../domain/index.js';
import { InMemoryReadDatabase } from './in-memory-read-store.js';

@injectable()
export class InMemoryUserReadStore implements UserReadStore {
  constructor(@inject(InMemoryReadDatabase) private readonly db: InMemoryReadDatabase) {}

  async findById(userId: string): Promise<StoredUser | null> {
    const user = this.db.users.get(userId);
    return user ? { id: user.id, username: user.username, email: user.email, bio: user.bio, image: user.image } : null;
  }

  async findProfileByUsernameKey(usernameKey: string): Promise<StoredAuthor | null> {
    // keyOf is idempotent, so a caller that already passes a key gets the same look-up.
    const id = this.db.userIdsByKey.get(Username.keyOf(usernameKey));
    return id === undefined ? null : this.db.author(id);
  }
}
