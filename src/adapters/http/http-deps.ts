import type { Logger } from 'pino';
import type { AddCommentHandler } from '../../application/comments/add-comment.js';
import type { DeleteCommentHandler } from '../../application/comments/delete-comment.js';
import type { GetCommentHandler } from '../../application/comments/get-comment.js';
import type { ListCommentsHandler } from '../../application/comments/list-comments.js';
import type { CreateArticleHandler } from '../../application/articles/create-article.js';
import type { DeleteArticleHandler } from '../../application/articles/delete-article.js';
import type { GetArticleHandler } from '../../application/articles/get-article.js';
import type { GetFeedHandler } from '../../application/articles/get-feed.js';
import type { ListArticlesHandler } from '../../application/articles/list-articles.js';
import type { UpdateArticleHandler } from '../../application/articles/update-article.js';
import type { FavoriteArticleHandler } from '../../application/favorites/favorite-article.js';
import type { UnfavoriteArticleHandler } from '../../application/favorites/unfavorite-article.js';
import type { FollowUserHandler } from '../../application/profiles/follow-user.js';
import type { GetProfileHandler } from '../../application/profiles/get-profile.js';
import type { UnfollowUserHandler } from '../../application/profiles/unfollow-user.js';
import type { GetTagsHandler } from '../../application/tags/get-tags.js';
import type { GetCurrentUserHandler } from '../../application/users/get-current-user.js';
import type { LoginUserHandler } from '../../application/users/login-user.js';
import type { RegisterUserHandler } from '../../application/users/register-user.js';
import type { UpdateUserHandler } from '../../application/users/update-user.js';
import type { TokenService } from '../security/token-service.js';

type Executes<H extends { execute: (...args: never[]) => unknown }> = Pick<H, 'execute'>;

/** Command handlers, already wrapped by the composition root (read-your-writes, logging). */
export interface Commands {
  readonly registerUser: Executes<RegisterUserHandler>;
  readonly loginUser: Executes<LoginUserHandler>;
  readonly updateUser: Executes<UpdateUserHandler>;
  readonly followUser: Executes<FollowUserHandler>;
  readonly unfollowUser: Executes<UnfollowUserHandler>;
  readonly createArticle: Executes<CreateArticleHandler>;
  readonly updateArticle: Executes<UpdateArticleHandler>;
  readonly deleteArticle: Executes<DeleteArticleHandler>;
  readonly favoriteArticle: Executes<FavoriteArticleHandler>;
  readonly unfavoriteArticle: Executes<UnfavoriteArticleHandler>;
  readonly addComment: Executes<AddCommentHandler>;
  readonly deleteComment: Executes<DeleteCommentHandler>;
}

export interface Queries {
  readonly getCurrentUser: Executes<GetCurrentUserHandler>;
  readonly getProfile: Executes<GetProfileHandler>;
  readonly getArticle: Executes<GetArticleHandler>;
  readonly listArticles: Executes<ListArticlesHandler>;
  readonly getFeed: Executes<GetFeedHandler>;
  readonly listComments: Executes<ListCommentsHandler>;
  readonly getComment: Executes<GetCommentHandler>;
  readonly getTags: Executes<GetTagsHandler>;
}

/** A dependency the readiness probe checks (database, read store, cache). */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

export interface HttpOptions {
  /** Largest accepted request body, in bytes; larger bodies get 413. */
  readonly bodyLimit: number;
  /** Allowed CORS origins; `['*']` allows any origin (without credentials). */
  readonly corsOrigins: readonly string[];
  /** Requests per minute per client IP on the whole API; 0 disables the limit. */
  readonly rateLimitPerMinute: number;
  /** Trust X-Forwarded-* from a proxy (behind nginx). */
  readonly trustProxy: boolean;
}

export interface HttpDeps {
  readonly commands: Commands;
  readonly queries: Queries;
  readonly tokens: TokenService;
  readonly logger: Logger;
  readonly readiness: readonly ReadinessCheck[];
  readonly options: HttpOptions;
}
