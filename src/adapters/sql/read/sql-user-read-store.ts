import { inject, injectable } from 'inversify';
import type { AuthorReadModel, UserReadModel } from '../../../application/read-side/read-models.js';
import type { UserReadStore } from '../../../application/read-side/user.read-store.js';
import { Username } from '../../../domain/index.js';
import { SqlReadContext } from './sql-read-context.js';

/** Users and profiles from `rm_users` of the active generation; each look-up is one primary-key or unique-key probe. */
@injectable()
export class SqlUserReadStore implements UserReadStore {
  constructor(@inject(SqlReadContext) private readonly read: SqlReadContext) {}

  async findById(userId: string): Promise<UserReadModel | null> {
    const [row] = await this.read.query<UserReadModel>(
      (t) => `select id, username, email, bio, image from ${t.users} where id = $1`,
      [userId],
    );
    return row ?? null;
  }

  async findProfileByUsernameKey(usernameKey: string): Promise<AuthorReadModel | null> {
    // keyOf is idempotent, so a caller that already passes a key gets the same look-up.
    const [row] = await this.read.query<AuthorReadModel>(
      (t) => `select id, username, bio, image from ${t.users} where username_key = $1`,
      [Username.keyOf(usernameKey)],
    );
    return row ?? null;
  }
}
