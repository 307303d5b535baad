import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import { Email, User, Username, USERNAME_MAX, type Role, type UserConflictError } from '../../domain/index.js';
import { Cache } from '../caching/cache.js';
import { AuditLog } from '../shared/audit-log.js';
import type { CommandHandler } from '../shared/handler.js';
import type { SaveConflict } from '../shared/persistence.js';
import { Clock, IdGenerator } from '../shared/ports.js';
import { retryRaces } from '../shared/retry.js';
import { ExternalIdentityStore } from './external-identity-store.js';
import { UserRepository } from './user.repository.js';

/** An identity an OpenID provider vouched for (the HTTP edge verified its access token). */
export interface ProvisionExternalUser {
  readonly issuer: string;
  readonly subject: string;
  readonly email?: string | undefined;
  /** Only a provider-verified e-mail may link the identity to an existing local user. */
  readonly emailVerified: boolean;
  readonly preferredUsername?: string | undefined;
  /**
   * The roles claim's entries when the provider manages roles (OIDC_ROLES_CLAIM set):
   * the entry `admin` makes the user an admin, its absence a plain user. Undefined: the
   * provider says nothing about roles and the local role stands.
   */
  readonly roles?: readonly string[] | undefined;
}

export interface ExternalUserLinked {
  readonly userId: string;
}

export type ProvisionExternalUserError = UserConflictError | SaveConflict;

/**
 * Not a password hash: no argon2 verification ever matches it, so an account made for an
 * external identity cannot sign in with a password (its e-mail could be an existing
 * user's only when the provider verified it).
 */
const EXTERNAL_ACCOUNT_PASSWORD_HASH = '!external-identity';
/** Synthetic e-mail domain of identities without a usable e-mail: `.invalid` never routes (RFC 2606). */
const SYNTHETIC_EMAIL_DOMAIN = 'external.invalid';
/** How long a link (and the role applied with it) is remembered before the stores are asked again. */
const EXTERNAL_LINK_CACHE_TTL_MS = 300_000;
const USERNAME_ATTEMPTS = 6;

interface CachedLink {
  readonly userId: string;
  readonly role: Role | null;
}
const isCachedLink = (value: unknown): value is CachedLink =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as CachedLink).userId === 'string' &&
  ((value as CachedLink).role === null || (value as CachedLink).role === 'user' || (value as CachedLink).role === 'admin');

const roleOf = (roles: readonly string[] | undefined): Role | null =>
  roles === undefined ? null : roles.includes('admin') ? 'admin' : 'user';

/** A valid username from what the provider calls the user: disallowed characters become `-`. */
function usernameBase(command: Pick<ProvisionExternalUser, 'preferredUsername' | 'subject'>): string {
  const raw = (command.preferredUsername ?? command.subject).normalize('NFC');
  const cleaned = [...raw.replace(/[^\p{L}\p{M}\p{N}_.-]+/gu, '-').replace(/^-+|-+$/g, '')].slice(0, USERNAME_MAX - 7).join('');
  return cleaned === '' || /^\.+$/.test(cleaned) ? 'user' : cleaned;
}

/**
 * The local user of an external identity, created on its first request. The link
 * (issuer, subject) → user id is written before the user: whichever of two concurrent
 * first requests links first decides the id, and both then make sure that user exists, so
 * one identity is one user. An existing user is reused only for a provider-verified
 * e-mail; otherwise a new user is registered through the domain (its events are
 * projected like any registration), named after `preferred_username` (or the subject),
 * with a random suffix when the name is taken, and with the token's e-mail, or a
 * synthetic `<user id>@external.invalid` when it has none or it belongs to someone else.
 * When the provider manages roles, its role is applied through the domain's role change
 * (an event and an audit line) whenever it differs. Later requests are answered from the
 * cache (when there is one) without touching the write model.
 */
@injectable()
export class ProvisionExternalUserHandler
  implements CommandHandler<ProvisionExternalUser, ExternalUserLinked, ProvisionExternalUserError>
{
  constructor(
    @inject(ExternalIdentityStore) private readonly links: ExternalIdentityStore,
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
    @inject(Cache) private readonly cache: Cache,
    @inject(AuditLog) private readonly audit: AuditLog,
  ) {}

  async execute(command: ProvisionExternalUser): Promise<Result<ExternalUserLinked, ProvisionExternalUserError>> {
    const key = `external-identity:${command.issuer}\u0000${command.subject}`;
    const role = roleOf(command.roles);
    const [cached] = await this.cache.get([key]);
    if (isCachedLink(cached) && cached.role === role) return Ok({ userId: cached.userId });

    const userId = (await this.links.userIdOf(command.issuer, command.subject)) ?? (await this.linkNew(command));
    const user = await this.ensureUser(userId, command);
    if (user.isErr()) return user;
    if (role !== null) {
      const applied = await this.applyRole(userId, role, command.issuer);
      if (applied.isErr()) return applied;
    }
    await this.cache.set([{ key, value: { userId, role } satisfies CachedLink, ttlMs: EXTERNAL_LINK_CACHE_TTL_MS }]);
    return Ok({ userId });
  }

  /** Links the identity to the user of its verified e-mail, or to a fresh id; answers whichever link won. */
  private async linkNew(command: ProvisionExternalUser): Promise<string> {
    const existing =
      command.emailVerified && command.email !== undefined ? await this.users.findByEmail(command.email) : null;
    return this.links.link(command.issuer, command.subject, existing?.id ?? this.ids.newId());
  }

  private async ensureUser(userId: string, command: ProvisionExternalUser): Promise<Result<void, ProvisionExternalUserError>> {
    const base = usernameBase(command);
    const given = command.email === undefined ? undefined : Email.create(command.email);
    let email = given?.isOk() === true ? given.value : undefined;
    for (let attempt = 0; ; attempt++) {
      if ((await this.users.findById(userId)) !== null) return Ok(undefined);
      const username = Username.create(attempt === 0 ? base : `${base}-${this.ids.newSuffix()}`);
      if (username.isErr()) throw new Error('a cleaned username is always valid');
      const mailbox = email ?? (Email.create(`${userId}@${SYNTHETIC_EMAIL_DOMAIN}`).unwrap() as Email);
      const availability = await this.users.availability({ usernameKey: username.value.key, email: mailbox.value });
      if (availability.emailTaken && email !== undefined) {
        // The e-mail is another user's and the provider did not verify it as this one's: never shared.
        email = undefined;
        continue;
      }
      const registered = User.register({
        id: userId,
        username: username.value,
        email: mailbox,
        passwordHash: EXTERNAL_ACCOUNT_PASSWORD_HASH,
        now: this.clock.now(),
        availability,
      });
      const saved = registered.isOk() ? await this.users.save(registered.value) : registered;
      if (saved.isOk()) return Ok(undefined);
      // Taken meanwhile, or the same user registered by a concurrent first request: look again.
      if (attempt + 1 >= USERNAME_ATTEMPTS) return Err(saved.error);
      if (saved.error.code === 'USER.EMAIL_TAKEN') email = undefined;
    }
  }

  private async applyRole(userId: string, role: Role, issuer: string): Promise<Result<void, SaveConflict>> {
    const result = await retryRaces(async (): Promise<Result<{ username: string; changed: boolean }, SaveConflict>> => {
      const user = await this.users.findById(userId);
      if (user === null || user.role === role) return Ok({ username: user?.username ?? '', changed: false });
      const changed = user.changeRole(role, { kind: 'identity-provider', issuer }, this.clock.now());
      if (changed.isErr()) throw new Error('the identity provider may always change roles');
      const saved = await this.users.save(user);
      return saved.isErr() ? saved : Ok({ username: user.username, changed: true });
    });
    if (result.isErr()) return result;
    if (result.value.changed)
      this.audit.record({
        actor: `identity-provider:${issuer}`,
        action: role === 'admin' ? 'role.grant' : 'role.revoke',
        target: result.value.username,
        owner: userId,
        detail: { role: 'admin', changed: true },
      });
    return Ok(undefined);
  }
}
