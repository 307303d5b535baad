import { inject, injectable } from 'inversify';
import type { Result } from 'ts-results-es';
import type { SaveConflict } from '../../application/shared/persistence.js';
import type { UserRepository } from '../../application/users/user.repository.js';
import { Email, emailTaken, User, Username, usernameTaken } from '../../domain/index.js';
import { InMemoryWriteStore, type UserRow } from './in-memory-write-store.js';

const USERNAME_KEY = 'users_username_key_unique';
const EMAIL = 'users_email_unique';

/** Field by field, both ways: rows hold the state and nothing else, as columns would. */
const toRow = (user: User): UserRow => {
  const s = user.snapshot();
  return {
    id: s.id,
    username: s.username,
    usernameKey: Username.keyOf(s.username),
    email: s.email,
    passwordHash: s.passwordHash,
    bio: s.bio,
    image: s.image,
    role: s.role,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    version: s.version,
  };
};

const toUser = ({ usernameKey: _key, ...state }: UserRow): User => User.rehydrate(state);

/** The in-memory twin of MikroOrmUserRepository (same contract suite). */
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

  async isUsernameTaken(usernameKey: string, exceptUserId?: string): Promise<boolean> {
    return this.store.users.holds(USERNAME_KEY, usernameKey, exceptUserId);
  }

  async isEmailTaken(email: string, exceptUserId?: string): Promise<boolean> {
    return this.store.users.holds(EMAIL, Email.normalize(email), exceptUserId);
  }

  async save(user: User): Promise<Result<void, SaveConflict>> {
    return this.store.save(
      user,
      'user',
      () => {
        const row = toRow(user);
        const { users } = this.store;
        return user.isNew ? users.checkInsert(row) : users.checkUpdate(row, user.persistedVersion);
      },
      (constraint) => (constraint === USERNAME_KEY ? usernameTaken() : constraint === EMAIL ? emailTaken() : null),
    );
  }
}
