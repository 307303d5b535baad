import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import type { Actor } from '../../domain/index.js';
import { unknownActor, type UnknownActor } from '../shared/errors.js';
import type { QueryHandler } from '../shared/handler.js';
import { CredentialStore } from './credential-store.js';

/** A token the HTTP edge verified (signature, expiry): whose it is and when it was issued. */
export interface Authenticate {
  readonly userId: string;
  /** Seconds since the epoch (`iat`). */
  readonly issuedAt: number;
}

/**
 * Turns a verified token into the actor the domain decides permissions for, or refuses
 * it: a token whose user does not exist is refused the same way on every route (401),
 * whether the route needs a user or only personalises for one.
 */
@injectable()
export class AuthenticateHandler implements QueryHandler<Authenticate, Actor, UnknownActor> {
  constructor(@inject(CredentialStore) private readonly credentials: CredentialStore) {}

  async execute(token: Authenticate): Promise<Result<Actor, UnknownActor>> {
    const state = await this.credentials.stateOf(token.userId);
    if (state === null) return Err(unknownActor());
    return Ok({ userId: token.userId, role: state.role });
  }
}
