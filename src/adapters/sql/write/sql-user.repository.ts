import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import type { SaveConflict } from '../../../application/shared/persistence.js';
import type { UserRepository } from '../../../application/users/user.repository.js';
import { Email, Username, type Availability, type User } from '../../../domain/index.js';
import { isUuid } from './records/keys.js';
import { fromUserRecord, UserRecord } from './records/user.record.js';
import { saveWithEvents, type RowWrite } from './save-with-events.js';
import { iso, SqlWriteContext } from './sql-write-context.js';

/** Users in `users`. */
@injectable()
export class SqlUserRepository implements UserRepository {
  constructor(@inject(SqlWriteContext) private readonly context: SqlWriteContext) {}

  async findById(id: string): Promise<User | null> {
    return isUuid(id) ? this.findOne({ id }) : null;
  }

  async findByEmail(email: string): Promise<User | null> {
    return this.findOne({ email: Email.normalize(email) });
  }

  async findByUsernameKey(usernameKey: string): Promise<User | null> {
    return this.findOne({ usernameKey });
  }

  // Both columns are unique, so the look-up reads at most two index entries.
  async availability(wanted: Parameters<UserRepository['availability']>[0]): Promise<Availability> {
    const { usernameKey, email, exceptUserId } = wanted;
    if (usernameKey === undefined && email === undefined) return { usernameTaken: false, emailTaken: false };
    const except = exceptUserId !== undefined && isUuid(exceptUserId) ? exceptUserId : null;
    const [row] = await this.context.db.query<{ username_taken: boolean | null; email_taken: boolean | null }>(
      `select bool_or(username_key = $1) as username_taken, bool_or(email = $2) as email_taken
         from users where (username_key = $1 or email = $2) and ($3::uuid is null or id <> $3::uuid)`,
      [usernameKey ?? null, email === undefined ? null : Email.normalize(email), except],
    );
    return { usernameTaken: row?.username_taken === true, emailTaken: row?.email_taken === true };
  }

  async save(user: User): Promise<Result<void, SaveConflict>> {
    const saved = await saveWithEvents(this.context, user, 'user', () => rowWrite(user));
    return saved.isOk() ? Ok(undefined) : Err(saved.error);
  }

  private async findOne(where: { id: string } | { email: string } | { usernameKey: string }): Promise<User | null> {
    const record = await this.context.load((em) => em.findOne(UserRecord, where));
    return record === null ? null : fromUserRecord(record);
  }
}

function rowWrite(user: User): RowWrite {
  const s = user.snapshot();
  const validFrom = s.tokensValidFrom === null ? null : iso(s.tokensValidFrom);
  const fields = [s.username, Username.keyOf(s.username), s.email, s.passwordHash, s.bio, s.image, s.role, iso(s.updatedAt), s.version, validFrom];
  if (user.isNew)
    return {
      ctes: [
        `written as (insert into users (id, username, username_key, email, password_hash, bio, image, role,
                                        updated_at, version, tokens_valid_from, created_at)
                     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning 1)`,
      ],
      params: [s.id, ...fields, iso(s.createdAt)],
    };
  return {
    ctes: [
      `written as (update users set username = $2, username_key = $3, email = $4, password_hash = $5, bio = $6,
                          image = $7, role = $8, updated_at = $9, version = $10, tokens_valid_from = $11
                    where id = $1 and version = $12 returning 1)`,
    ],
    params: [s.id, ...fields, user.persistedVersion],
  };
}
