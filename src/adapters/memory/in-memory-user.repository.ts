import { inject, injectable } from 'inversify';
import type { Result } from 'ts-results-es';
import { concurrentUpdate, type SaveConflict } from '../../application/shared/persistence.js';
import type { UserRepository } from '../../application/users/user.repository.js';
import { Email, emailTaken, User, Username, usernameTaken, type Availability } from '../../domain/index.js';
import { InMemoryWriteStore, type UserRow } from './in-memory-write-store.js';

const USERNAME_KEY = 'users_username_key_unique';
const EMAIL = 'users_email_unique';

const toUser = ({ usernameKey: _key, ...state }: UserRow): User => User.rehydrate(state);

/** The in-memory twin of SqlUserRepository (same contract suite). */
@injectable()
export class InMemoryUserRepository implements UserRepository {
  constructor(@inject(InMemoryWriteStore) private readonly store: InMemoryWriteStore) {}

  async findById(id: string): Promise<User | null> {
    const row = this.store.users.get(id);
    return row === null ? null : toUser(row);
  }

  async findByEmail(email: string): Promise<User | null> {
    const row = this.store.users.getUnique(EMAIL, Email.normalize(email));
    return row === null ? null : toUser(row);
  }

  async findByUsernameKey(usernameKey: string): Promise<User | null> {
    const row = this.store.users.getUnique(USERNAME_KEY, usernameKey);
    return row === null ? null : toUser(row);
  }

  async availability(wanted: Parameters<UserRepository['availability']>[0]): Promise<Availability> {
    const { usernameKey, email, exceptUserId } = wanted;
    return {
      usernameTaken: usernameKey !== undefined && this.store.users.holds(USERNAME_KEY, usernameKey, exceptUserId),
      emailTaken: email !== undefined && this.store.users.holds(EMAIL, Email.normalize(email), exceptUserId),
    };
  }

  async save(user: User): Promise<Result<void, SaveConflict>> {
    return this.store.save(
      user,
      'user',
      () => {
        const state = user.snapshot();
        const row = { ...state, usernameKey: Username.keyOf(state.username) };
        const { users } = this.store;
        return user.isNew ? users.checkInsert(row) : users.checkUpdate(row, user.persistedVersion);
      },
      (constraint) =>
        constraint === USERNAME_KEY
          ? usernameTaken()
          : constraint === EMAIL
            ? emailTaken()
            : // Two first requests of one external identity registered its linked user at once (as SQL's users_pkey).
              constraint === 'users_pkey'
              ? concurrentUpdate('user')
              : null,
    );
  }
}
