/**
 * The write side of the read models, used only by projections. Every method is idempotent
 * and version-guarded: applying an event twice, or an older event after a newer one for
 * the same aggregate, leaves the read model as the newest event made it.
 */
export interface UserRecord {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly bio: string | null;
  readonly image: string | null;
  readonly version: number;
}

export interface ArticleRecord {
  readonly id: string;
  readonly authorId: string;
  readonly slug: string;
  readonly title: string;
  readonly description: string;
  readonly body: string;
  readonly tagList: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

export interface CommentRecord {
  readonly id: number;
  readonly articleId: string;
  readonly authorId: string;
  readonly body: string;
  readonly createdAt: string;
}

export interface ReadModelWriter {
  /** Upserts the user and, when the public fields changed, every embedded copy (articles, comments) in bulk. */
  upsertUser(user: UserRecord): Promise<void>;
  /** Upserts the article (author embedded from the stored user) and recounts the tags it gained or lost. */
  upsertArticle(article: ArticleRecord): Promise<void>;
  /** Removes the article, its comments and favourites, and recounts its tags. */
  deleteArticle(articleId: string, version: number): Promise<void>;
  setFollow(followerId: string, followeeId: string, active: boolean, version: number): Promise<void>;
  /** Records the favourite and recounts the article's favoritesCount from the favourites themselves. */
  setFavorite(userId: string, articleId: string, active: boolean, version: number): Promise<void>;
  addComment(comment: CommentRecord): Promise<void>;
  deleteComment(commentId: number): Promise<void>;
  /** Empties every read model (tests, rebuilds). */
  clear(): Promise<void>;
}
export const ReadModelWriter = Symbol.for('ReadModelWriter');
