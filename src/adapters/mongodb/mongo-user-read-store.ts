import { inject, injectable } from 'inversify';
import type { AuthorReadModel, UserReadModel } from '../../application/read-side/read-models.js';
import type { UserReadStore } from '../../application/read-side/user.read-store.js';
import { Username } from '../../domain/index.js';
import { asText, eqText } from './filter-values.js';
import { MongoActiveCollections } from './mongo-read-database.js';

/** Users and profiles from `<generation>_users`: each look-up is one `_id` or unique-key probe. */
@injectable()
export class MongoUserReadStore implements UserReadStore {
  constructor(@inject(MongoActiveCollections) private readonly active: MongoActiveCollections) {}

  findById(userId: string): Promise<UserReadModel | null> {
    return this.active.read(async ({ users }) => {
      const doc = await users.findOne(
        { _id: eqText(userId) },
        { projection: { _id: 1, username: 1, email: 1, bio: 1, image: 1 } },
      );
      return doc
        ? { id: doc._id, username: doc.username, email: doc.email, bio: doc.bio ?? null, image: doc.image ?? null }
        : null;
    });
  }

  findProfileByUsernameKey(usernameKey: string): Promise<AuthorReadModel | null> {
    return this.active.read(async ({ users }) => {
      // keyOf is idempotent, so a caller that already passes a key gets the same look-up.
      const doc = await users.findOne(
        { usernameKey: eqText(Username.keyOf(asText(usernameKey))) },
        { projection: { _id: 1, username: 1, bio: 1, image: 1 } },
      );
      return doc ? { id: doc._id, username: doc.username, bio: doc.bio ?? null, image: doc.image ?? null } : null;
    });
  }
}
