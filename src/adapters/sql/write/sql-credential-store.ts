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
    const [row] = await this.db.query<{ role: Role; tokens_valid_from: Date | string | null }>(
      `select role, tokens_valid_from from users where id = $1`,
      [userId],
    );
    if (!row) return null;
    const validFrom = row.tokens_valid_from;
    return { role: row.role, tokensValidFrom: validFrom === null ? null : new Date(validFrom) };
  }
}
