import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import { Username } from '../../domain/index.js';
import { userNotFound, type UserNotFound } from '../shared/errors.js';
import type { ReadFreshness, TwoStepQuery } from '../shared/handler.js';
import { UserReadStore } from '../read-side/user.read-store.js';
import type { AuthorReadModel } from '../read-side/read-models.js';
import { ViewerContext } from '../read-side/viewer-context.js';
import type { ProfileView } from '../shared/views.js';

export interface GetProfile extends ReadFreshness {
  readonly username: string;
  readonly viewerId?: string | undefined;
}

@injectable()
export class GetProfileHandler implements TwoStepQuery<GetProfile, AuthorReadModel | null, ProfileView, UserNotFound> {
  constructor(
    @inject(UserReadStore) private readonly users: UserReadStore,
    @inject(ViewerContext) private readonly viewer: ViewerContext,
  ) {}

  async execute(query: GetProfile): Promise<Result<ProfileView, UserNotFound>> {
    return this.present(query, await this.load(query));
  }

  load(query: GetProfile): Promise<AuthorReadModel | null> {
    return this.users.findProfileByUsernameKey(Username.keyOf(query.username));
  }

  async present(query: GetProfile, author: AuthorReadModel | null): Promise<Result<ProfileView, UserNotFound>> {
    if (author === null) return Err(userNotFound());
    const personalise = await this.viewer.forAuthors(query.viewerId, [author]);
    return Ok(personalise(author));
  }
}
