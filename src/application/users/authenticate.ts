import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import { tokenStands, type Actor, type Role } from '../../domain/index.js';
import { Cache } from '../caching/cache.js';
import { tags } from '../caching/cache-tags.js';
import { tokenRevoked, unknownActor, type TokenRevoked, type UnknownActor } from '../shared/errors.js';
import type { QueryHandler } from '../shared/handler.js';
import { CredentialStore, type CredentialState } from './credential-store.js';

/** A token the HTTP edge verified (signature, expiry): whose it is and when it was issued. */
export interface Authenticate {
  readonly userId: string;
  /** When the token was issued, in milliseconds since the epoch. */
  readonly issuedAtMs: number;
}

/**
 * Longest life of a cached credential state. Stamps make a cached state stale at once on
 * any change of the user that goes through the write model (role, revocation); the
 * lifetime bounds memory, and how long a user removed from the database behind the
 * application's back keeps being accepted.
 */
const CREDENTIAL_CACHE_TTL_MS = 60_000;

interface CachedState {
  readonly stamp: string;
  readonly role: Role;
  readonly validFromMs: number | null;
}

const isCachedState = (value: unknown): value is CachedState =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as CachedState).stamp === 'string' &&
  ((value as CachedState).role === 'user' || (value as CachedState).role === 'admin') &&
  (typeof (value as CachedState).validFromMs === 'number' || (value as CachedState).validFromMs === null);

/**
 * Turns a verified token into the actor the domain decides permissions for, or refuses
 * it: a token whose user does not exist, or that was issued before the user's last
 * revocation, is refused the same way on every route (401), whether the route needs a
 * user or only personalises for one.
 *
 * The state is read through the cache (shared by every replica with Redis) under the
 * user's tag: the projector bumps it when it applies any event of the user (a role change,
 * a revocation, a password change), before the write that caused it answers. An entry
 * is trusted only while it holds the stamp current now, and is stored only with the stamp
 * read before the write model was asked, so a revocation committed in between is never
 * hidden. Without a cache, or while it is down, every check asks the write model.
 */
@injectable()
export class AuthenticateHandler implements QueryHandler<Authenticate, Actor, UnknownActor | TokenRevoked> {
  constructor(
    @inject(CredentialStore) private readonly credentials: CredentialStore,
    @inject(Cache) private readonly cache: Cache,
  ) {}

  async execute(token: Authenticate): Promise<Result<Actor, UnknownActor | TokenRevoked>> {
    const state = await this.stateOf(token.userId);
    if (state === null) return Err(unknownActor());
    if (!tokenStands(state.tokensValidFrom, token.issuedAtMs)) return Err(tokenRevoked());
    return Ok({ userId: token.userId, role: state.role });
  }

  private async stateOf(userId: string): Promise<CredentialState | null> {
    if (this.cache.state() === 'off') return this.credentials.stateOf(userId);
    const stamps = await this.cache.stamps([tags.user(userId)]);
    const stamp = stamps?.[0];
    if (stamp === undefined) return this.credentials.stateOf(userId);
    const key = `credentials:${userId}`;
    const [cached] = await this.cache.get([key]);
    if (isCachedState(cached) && cached.stamp === stamp)
      return { role: cached.role, tokensValidFrom: cached.validFromMs === null ? null : new Date(cached.validFromMs) };
    const state = await this.credentials.stateOf(userId);
    // Unknown users are not remembered: nothing would bump a tag when they register.
    if (state !== null) {
      const value: CachedState = { stamp, role: state.role, validFromMs: state.tokensValidFrom?.getTime() ?? null };
      await this.cache.set([{ key, value, ttlMs: CREDENTIAL_CACHE_TTL_MS }]);
    }
    return state;
  }
}
