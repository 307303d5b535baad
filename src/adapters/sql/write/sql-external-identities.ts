import { inject, injectable } from 'inversify';
import type { ExternalIdentityStore } from '../../../application/users/external-identity-store.js';
import { SqlDatabase } from '../sql-database.js';

/** `external_identities`: (issuer, subject) is the primary key, so a concurrent second link changes nothing. */
@injectable()
export class SqlExternalIdentities implements ExternalIdentityStore {
  constructor(@inject(SqlDatabase) private readonly db: SqlDatabase) {}

  async userIdOf(issuer: string, subject: string): Promise<string | null> {
    const [row] = await this.db.query<{ user_id: string }>(
      `select user_id from external_identities where issuer = $1 and subject = $2`,
      [issuer, subject],
    );
    return row?.user_id ?? null;
  }

  async link(issuer: string, subject: string, userId: string): Promise<string> {
    const [inserted] = await this.db.query<{ user_id: string }>(
      `insert into external_identities (issuer, subject, user_id) values ($1, $2, $3)
       on conflict (issuer, subject) do nothing returning user_id`,
      [issuer, subject, userId],
    );
    if (inserted !== undefined) return inserted.user_id;
    const linked = await this.userIdOf(issuer, subject);
    if (linked === null) throw new Error('an external identity link vanished after a conflicting insert');
    return linked;
  }
}
