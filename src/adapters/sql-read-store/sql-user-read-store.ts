import { inject, injectable } from 'inversify';
import type { StoredAuthor, StoredUser } from '../../application/read-model/stored.js';
import type { UserReadStore } from '../../application/users/user.read-store.js';
import { Username } from '../../domain/index.js';
import { SqlOrmToken, type SqlOrm } from '../postgres/orm.js';
import { SqlReadDatabase } from './sql-read-database.js';
import { SqlActiveGeneration, type SqlGenerationSource } from './sql-read-generation.js';

interface UserRow {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly bio: string | null;
  readonly image: string | null;
}

/** Users and profiles from `rm_users` of the active generation; each look-up is one primary-key or unique-key probe. */
@injectable()
export class SqlUserReadStore implements UserReadStore {
  private readonly db: SqlReadDatabase;

  constructor(
    @inject(SqlOrmToken) orm: SqlOrm,
    @inject(SqlActiveGeneration) private readonly generation: SqlGenerationSource,
  ) {
    this.db = new SqlReadDatabase(orm);
  }

  async findById(userId: string): Promise<StoredUser | null> {
    const t = await this.generation.tables();
    const [row] = await this.db.rows<UserRow>(
      `select id, username, email, bio, image from ${t.users} where id = $1`,
      [userId],
    );
    return row ? { id: row.id, username: row.username, email: row.email, bio: row.bio, image: row.image } : null;
  }

  async findProfileByUsernameKey(usernameKey: string): Promise<StoredAuthor | null> {
    // keyOf is idempotent, so a caller that already passes a key gets the same look-up.
    const t = await this.generation.tables();
    const [row] = await this.db.rows<UserRow>(
      `select id, username, bio, image from ${t.users} where username_key = $1`,
      [Username.keyOf(usernameKey)],
    );
    return row ? { id: row.id, username: row.username, bio: row.bio, image: row.image } : null;
  }
}
