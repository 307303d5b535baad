import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import { Username } from '../../domain/index.js';
import { userNotFound, type UserNotFound } from '../shared/errors.js';
import type { QueryHandler } from '../shared/handler.js';
import type { ProfileView } from '../read-model/views.js';
import { UserReadStore } from '../users/user.read-store.js';
import { ViewerContext } from './viewer-context.js';

export interface GetProfile {
  readonly username: string;
  readonly viewerId?: string | undefined;
}

@injectable()
export class GetProfileHandler implements QueryHandler<GetProfile, ProfileView, UserNotFound> {
  constructor(
    @inject(UserReadStore) private readonly users: UserReadStore,
    @inject(ViewerContext) private readonly viewer: ViewerContext,
  ) {}

  async execute(query: GetProfile): Promise<Result<ProfileView, UserNotFound>> {
    const author = await this.users.findProfileByUsernameKey(Username.keyOf(query.username));
    if (author === null) return Err(userNotFound());
    const personalise = await this.viewer.forAuthors(query.viewerId, [author]);
    return Ok(personalise(author));
  }
}
