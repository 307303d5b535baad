import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import { Username, type RoleChangeError, type RoleChanger, type Role } from '../../domain/index.js';
import { loadActor } from '../shared/actor.js';
import { AuditLog, userActor } from '../shared/audit-log.js';
import { userNotFound, type UnknownActor, type UserNotFound } from '../shared/errors.js';
import type { CommandHandler } from '../shared/handler.js';
import type { SaveConflict } from '../shared/persistence.js';
import { Clock } from '../shared/ports.js';
import { retryRaces } from '../shared/retry.js';
import { UserRepository } from './user.repository.js';

/** Who asks: a signed-in user (their permission is the domain's to decide), the operator, or the identity provider. */
export type RoleRequester =
  | { readonly kind: 'user'; readonly actorId: string }
  | { readonly kind: 'operator' }
  | { readonly kind: 'identity-provider'; readonly issuer: string };

export interface ChangeRole {
  /** The user whose role changes, by username (any case). */
  readonly username: string;
  readonly role: Role;
  readonly by: RoleRequester;
}

export interface RoleChanged {
  readonly userId: string;
  readonly username: string;
  readonly role: Role;
  /** False when the user already held the role (nothing recorded but the audit line). */
  readonly changed: boolean;
}

export type ChangeRoleError = RoleChangeError | UserNotFound | UnknownActor | SaveConflict;

const actorName = (by: RoleRequester): string =>
  by.kind === 'user' ? userActor(by.actorId) : by.kind === 'operator' ? 'operator' : `identity-provider:${by.issuer}`;

/** Grants or revokes a role: the domain decides who may; the change is an event, and one audit line. */
@injectable()
export class ChangeRoleHandler implements CommandHandler<ChangeRole, RoleChanged, ChangeRoleError> {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(Clock) private readonly clock: Clock,
    @inject(AuditLog) private readonly audit: AuditLog,
  ) {}

  async execute(command: ChangeRole): Promise<Result<RoleChanged, ChangeRoleError>> {
    let by: RoleChanger;
    if (command.by.kind === 'user') {
      const actor = await loadActor(this.users, command.by.actorId);
      if (actor.isErr()) return actor;
      by = { kind: 'user', actor: actor.value };
    } else by = command.by;

    const result = await retryRaces(async (): Promise<Result<RoleChanged, ChangeRoleError>> => {
      const user = await this.users.findByUsernameKey(Username.keyOf(command.username));
      if (user === null) return Err(userNotFound());
      const changed = user.changeRole(command.role, by, this.clock.now());
      if (changed.isErr()) return changed;
      const saved = await this.users.save(user);
      if (saved.isErr()) return saved;
      return Ok({ userId: user.id, username: user.username, role: user.role, changed: changed.value });
    });
    if (result.isOk())
      this.audit.record({
        actor: actorName(command.by),
        action: command.role === 'admin' ? 'role.grant' : 'role.revoke',
        target: result.value.username,
        owner: result.value.userId,
        detail: { role: 'admin', changed: result.value.changed },
      });
    return result;
  }
}
