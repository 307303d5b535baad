/**
 * What read stores hold and answer: denormalised, shaped like the API responses, without
 * the viewer-specific fields (`favorited`, `following`), which query handlers add per page
 * (read-side/viewer-context.ts). Timestamps are ISO-8601 strings.
 *
 * Every name here ends in `ReadModel`: the write side has records and aggregates of the
 * same things, and the two must never be mistaken for each other.
 */
export interface AuthorReadModel {
  readonly id: string;
  readonly username: string;
  readonly bio: string | null;
  readonly image: string | null;
}

export interface UserReadModel extends AuthorReadModel {
  readonly email: string;
}

export interface ArticleSummaryReadModel {
  readonly id: string;
  readonly slug: string;
  readonly title: string;
  readonly description: string;
  readonly tagList: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly favoritesCount: number;
  readonly author: AuthorReadModel;
}

export interface ArticleReadModel extends ArticleSummaryReadModel {
  readonly body: string;
}

export interface CommentReadModel {
  readonly id: number;
  readonly articleId: string;
  readonly body: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly author: AuthorReadModel;
}
