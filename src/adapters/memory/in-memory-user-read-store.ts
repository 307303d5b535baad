import { inject, injectable } from 'inversify';
import type { AuthorReadModel, UserReadModel } from '../../application/read-side/read-models.js';
import type { UserReadStore } from '../../application/read-side/user.read-store.js';
import { Username } from '../../domain/index.js';
import { InMemoryReadSource } from './in-memory-read-store.js';

@injectable()
export class InMemoryUserReadStore implements UserReadStore {
  constructor(@inject(InMemoryReadSource) private readonly source: InMemoryReadSource) {}

  async findById(userId: string): Promise<UserReadModel | null> {
    const user = this.source.current().users.get(userId);
    return user ? { id: user.id, username: user.username, email: user.email, bio: user.bio, image: user.image } : null;
  }

  async findProfileByUsernameKey(usernameKey: string): Promise<AuthorReadModel | null> {
    const db = this.source.current();
    // keyOf is idempotent, so a caller that already passes a key gets the same look-up.
    const id = db.userIdsByKey.get(Username.keyOf(usernameKey));
    return id === undefined ? null : db.author(id);
  }
}
