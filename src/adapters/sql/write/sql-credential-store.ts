import { inject, injectable } from 'inversify';
import type { CredentialState, CredentialStore } from '../../../application/users/credential-store.js';
import type { Role } from '../../../domain/index.js';
import { SqlDatabase } from '../sql-database.js';
import { isUuid } from './records/keys.js';

/** A user's credential state from `users`: one primary-key probe. */
@injectable()
export class SqlCredentialStore implements CredentialStore {
  constructor(@inject(SqlDatabase) private readonly db: SqlDatabase) {}

  async stateOf(userId: string): Promise<CredentialState | null> {
    if (!isUuid(userId)) return null;
    const [row] = await this.db.query<{ role: Role }>(`select role from users where id = $1`, [userId]);
    return row ? { role: row.role } : null;
  }
}
