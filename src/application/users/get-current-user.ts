import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import { unknownActor, type UnknownActor } from '../shared/errors.js';
import type { QueryHandler } from '../shared/handler.js';
import type { UserView } from '../shared/views.js';
import { UserReadStore } from '../read-side/user.read-store.js';

export interface GetCurrentUser {
  readonly userId: string;
}

@injectable()
export class GetCurrentUserHandler implements QueryHandler<GetCurrentUser, UserView, UnknownActor> {
  constructor(@inject(UserReadStore) private readonly users: UserReadStore) {}

  async execute(query: GetCurrentUser): Promise<Result<UserView, UnknownActor>> {
    const user = await this.users.findById(query.userId);
    if (user === null) return Err(unknownActor());
    return Ok({ email: user.email, username: user.username, bio: user.bio, image: user.image });
  }
}
