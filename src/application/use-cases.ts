import type { Result } from 'ts-results-es';
import type { DomainError } from '../domain/index.js';
import { CreateArticleHandler } from './articles/create-article.js';
import { DeleteArticleHandler } from './articles/delete-article.js';
import { GetArticleHandler } from './articles/get-article.js';
import { GetFeedHandler } from './articles/get-feed.js';
import { ListArticlesHandler } from './articles/list-articles.js';
import { UpdateArticleHandler } from './articles/update-article.js';
import { AddCommentHandler } from './comments/add-comment.js';
import { DeleteCommentHandler } from './comments/delete-comment.js';
import { ListCommentsHandler } from './comments/list-comments.js';
import { SetFavoriteHandler } from './favorites/set-favorite.js';
import { GetProfileHandler } from './profiles/get-profile.js';
import { SetFollowingHandler } from './profiles/set-following.js';
import { ListNotificationsHandler } from './notifications/list-notifications.js';
import { MarkNotificationsReadHandler } from './notifications/mark-notifications-read.js';
import { GetTagsHandler } from './tags/get-tags.js';
import { AuthenticateHandler } from './users/authenticate.js';
import { GetCurrentUserHandler } from './users/get-current-user.js';
import { LoginUserHandler } from './users/login-user.js';
import { RegisterUserHandler } from './users/register-user.js';
import { UpdateUserHandler } from './users/update-user.js';
import { ChangeRoleHandler } from './users/change-role.js';
import { RevokeTokensHandler } from './users/revoke-tokens.js';
import { ProvisionExternalUserHandler } from './users/provision-external-user.js';

/**
 * - `command`: writes through the write model; its answer is built from what it wrote, and
 *   read-your-writes syncs the projection of its own events before it answers.
 * - `credentials`: reads the write model (password hashes), writes nothing, waits on nothing.
 * - `query`: reads only read-store ports; cacheable.
 */
export type UseCaseKind = 'command' | 'credentials' | 'query';

/** Anything with the handlers' one public method. */
export interface Executes<I = never, O extends Result<unknown, DomainError> = Result<unknown, DomainError>> {
  execute(input: I): Promise<O>;
}

/** A handler's class: whatever its constructor takes (the container fills it), it builds an Executes. */
type Constructor<T> = abstract new (...args: any[]) => T;
type HandlerClass = Constructor<Executes<never>>;

const entry = <K extends UseCaseKind, H extends HandlerClass>(kind: K, handler: H) => ({ kind, handler }) as const;
const command = <H extends HandlerClass>(handler: H) => entry('command', handler);
const credentials = <H extends HandlerClass>(handler: H) => entry('credentials', handler);
const query = <H extends HandlerClass>(handler: H) => entry('query', handler);

/**
 * Every use case of the application, once. The composition root builds each handler from
 * this list, applies the cross-cutting wrappers to each (`assembleUseCases`), and hands the
 * result to the HTTP adapter, whose dependency type is derived from it; the test fakes are
 * derived from it too. Adding a use case is: its handler, its line here, its route.
 */
export const useCases = {
  registerUser: command(RegisterUserHandler),
  loginUser: credentials(LoginUserHandler),
  authenticate: credentials(AuthenticateHandler),
  updateUser: command(UpdateUserHandler),
  setFollowing: command(SetFollowingHandler),
  createArticle: command(CreateArticleHandler),
  updateArticle: command(UpdateArticleHandler),
  deleteArticle: command(DeleteArticleHandler),
  setFavorite: command(SetFavoriteHandler),
  addComment: command(AddCommentHandler),
  deleteComment: command(DeleteCommentHandler),
  getCurrentUser: query(GetCurrentUserHandler),
  getProfile: query(GetProfileHandler),
  getArticle: query(GetArticleHandler),
  listArticles: query(ListArticlesHandler),
  getFeed: query(GetFeedHandler),
  listComments: query(ListCommentsHandler),
  getTags: query(GetTagsHandler),
  listNotifications: query(ListNotificationsHandler),
  markNotificationsRead: command(MarkNotificationsReadHandler),
  changeRole: command(ChangeRoleHandler),
  revokeTokens: command(RevokeTokensHandler),
  provisionExternalUser: command(ProvisionExternalUserHandler),
} as const;

export type UseCaseName = keyof typeof useCases;
type HandlerOf<K extends UseCaseName> = InstanceType<(typeof useCases)[K]['handler']>;
export type UseCaseInput<K extends UseCaseName> = Parameters<HandlerOf<K>['execute']>[0];
export type UseCaseOutput<K extends UseCaseName> = Awaited<ReturnType<HandlerOf<K>['execute']>>;

/** Every use case by name, wrapped: what the HTTP adapter, the CLIs and the tests call. */
export type UseCases = {
  readonly [K in UseCaseName]: { execute(input: UseCaseInput<K>): Promise<UseCaseOutput<K>> };
};

/**
 * A cross-cutting concern (read-your-writes, logging and metrics, caching, tracing): given
 * one use case, answers it wrapped — or unchanged, for the kinds it does not concern.
 */
export interface UseCaseWrapper {
  wrap(name: UseCaseName, kind: UseCaseKind, handler: Executes<unknown>): Executes<unknown>;
}

/**
 * Builds every use case from the registry: `build` makes the handler (the container, in
 * the composition root), then each wrapper is applied in order, the first innermost.
 */
export function assembleUseCases(
  build: <H>(handler: Constructor<H>) => H,
  wrappers: readonly UseCaseWrapper[],
): UseCases {
  const assembled: Partial<Record<UseCaseName, Executes<unknown>>> = {};
  for (const name of Object.keys(useCases) as UseCaseName[]) {
    const { kind, handler } = useCases[name];
    let wrapped: Executes<unknown> = build(handler as Constructor<Executes<unknown>>);
    for (const wrapper of wrappers) wrapped = wrapper.wrap(name, kind, wrapped);
    assembled[name] = wrapped;
  }
  return assembled as UseCases;
}
