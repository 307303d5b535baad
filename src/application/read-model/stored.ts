/**
 * What read stores hold: denormalised, shaped like the API responses, without the
 * viewer-specific fields (`favorited`, `following`), which query handlers add per page.
 * Timestamps are ISO-8601 strings.
 */
export interface StoredAuthor {
  readonly id: string;
  readonly username: string;
  readonly bio: string | null;
  readonly image: string | null;
}

export interface StoredUser extends StoredAuthor {
  readonly email: string;
}

export interface StoredArticleSummary {
  readonly id: string;
  readonly slug: string;
  readonly title: string;
  readonly description: string;
  readonly tagList: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly favoritesCount: number;
  readonly author: StoredAuthor;
}

export interface StoredArticle extends StoredArticleSummary {
  readonly body: string;
}

export interface StoredComment {
  readonly id: number;
  readonly articleId: string;
  readonly body: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly author: StoredAuthor;
}
