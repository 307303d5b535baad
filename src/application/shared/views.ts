import type { ArticleSummaryReadModel } from '../read-side/read-models.js';

/**
 * The shapes the API returns. Query handlers build them from stored read models plus the
 * viewer's relationships; they are plain data, ready to serialise.
 */
export interface UserView {
  readonly email: string;
  readonly username: string;
  readonly bio: string | null;
  readonly image: string | null;
}

export interface ProfileView {
  readonly username: string;
  readonly bio: string | null;
  readonly image: string | null;
  readonly following: boolean;
}

/** An article of a list: what every viewer sees alike (its read model, less the id), with the viewer's own fields. */
export interface ArticleListItemView extends Omit<ArticleSummaryReadModel, 'id' | 'author'> {
  readonly favorited: boolean;
  readonly author: ProfileView;
}

export interface ArticleView extends ArticleListItemView {
  readonly body: string;
}

export interface CommentView {
  readonly id: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly body: string;
  readonly author: ProfileView;
}
