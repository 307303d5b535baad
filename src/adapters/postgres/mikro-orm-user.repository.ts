import { inject, injectable } from 'inversify';
import type { Result } from 'ts-results-es';
import type { SaveConflict } from '../../application/shared/persistence.js';
import type { UserRepository } from '../../application/users/user.repository.js';
import { Email, type User } from '../../domain/index.js';
import { SqlOrmToken, type SqlOrm } from './orm.js';
import { saveWithEvents } from './outbox.js';
import { isUuid } from './records/keys.js';
import { fromUserRecord, toUserRecord, UserRecord } from './records/user.record.js';

/** Users in `users`; every call works on a fresh fork, so no identity map outlives it. */
@injectable()
export class MikroOrmUserRepository implements UserRepository {
  constructor(@inject(SqlOrmToken) private readonly orm: SqlOrm) {}

  async findById(id: string): Promise<User | null> {
    if (!isUuid(id)) return null;
    return this.findOne({ id });
  }

  async findByEmail(email: string): Promise<User | null> {
    return this.findOne({ email: Email.normalize(email) });
  }

  async findByUsernameKey(usernameKey: string): Promise<User | null> {
    return this.findOne({ usernameKey });
  }

  // Both columns are unique, so the count reads at most one index entry.
  async isUsernameTaken(usernameKey: string, exceptUserId?: string): Promise<boolean> {
    return (await this.orm.em.fork().count(UserRecord, { usernameKey, ...this.except(exceptUserId) })) > 0;
  }

  async isEmailTaken(email: string, exceptUserId?: string): Promise<boolean> {
    const where = { email: Email.normalize(email), ...this.except(exceptUserId) };
    return (await this.orm.em.fork().count(UserRecord, where)) > 0;
  }

  save(user: User): Promise<Result<void, SaveConflict>> {
    return saveWithEvents(this.orm, user, 'user', async (tx) => {
      const record = toUserRecord(user);
      if (user.isNew) {
        await tx.insert(UserRecord, record);
        return true;
      }
      const { id, ...changes } = record;
      return (await tx.nativeUpdate(UserRecord, { id, version: user.persistedVersion }, changes)) === 1;
    });
  }

  private async findOne(where: { id: string } | { email: string } | { usernameKey: string }): Promise<User | null> {
    const record = await this.orm.em.fork().findOne(UserRecord, where);
    return record === null ? null : fromUserRecord(record);
  }

  /** A malformed id is no user's, so it excludes nothing. */
  private except(exceptUserId: string | undefined): { id?: { $ne: string } } {
    return exceptUserId !== undefined && isUuid(exceptUserId) ? { id: { $ne: exceptUserId } } : {};
  }
}
