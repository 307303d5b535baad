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

export interface ArticleListItemView {
  readonly slug: string;
  readonly title: string;
  readonly description: string;
  readonly tagList: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly favorited: boolean;
  readonly favoritesCount: number;
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
