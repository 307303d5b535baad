import { inject, injectable } from 'inversify';
import type { StoredAuthor, StoredUser } from '../../application/read-model/stored.js';
import type { UserReadStore } from '../../application/users/user.read-store.js';
import { Username } from '../../domain/index.js';
import { asText, eqText } from './filter-values.js';
import { MongoReadDatabase } from './mongo-read-database.js';

/** Users and profiles from `<generation>_users`: each look-up is one `_id` or unique-key probe. */
@injectable()
export class MongoUserReadStore implements UserReadStore {
  constructor(@inject(MongoReadDatabase) private readonly db: MongoReadDatabase) {}

  async findById(userId: string): Promise<StoredUser | null> {
    const { users } = await this.db.active();
    const doc = await users.findOne(
      { _id: eqText(userId) },
      { projection: { _id: 1, username: 1, email: 1, bio: 1, image: 1 } },
    );
    return doc
      ? { id: doc._id, username: doc.username, email: doc.email, bio: doc.bio ?? null, image: doc.image ?? null }
      : null;
  }

  async findProfileByUsernameKey(usernameKey: string): Promise<StoredAuthor | null> {
    const { users } = await this.db.active();
    // keyOf is idempotent, so a caller that already passes a key gets the same look-up.
    const doc = await users.findOne(
      { usernameKey: eqText(Username.keyOf(asText(usernameKey))) },
      { projection: { _id: 1, username: 1, bio: 1, image: 1 } },
    );
    return doc ? { id: doc._id, username: doc.username, bio: doc.bio ?? null, image: doc.image ?? null } : null;
  }
}
