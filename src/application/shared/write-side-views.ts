import type { ArticleState, CommentState, UserState } from '../../domain/index.js';
import type { ArticleView, CommentView, ProfileView, UserView } from './views.js';

/**
 * The answers of commands, built from what the command itself holds: the aggregate as it
 * saved it and the data it loaded from the write model. They never wait for, or read, the
 * read models, so a committed write always gets a correct, current answer.
 */
export const userViewOf = (user: UserState): UserView => ({
  email: user.email,
  username: user.username,
  bio: user.bio,
  image: user.image,
});

/** A user's profile as they see it themselves: nobody follows themselves. */
export const ownProfileOf = (user: UserState): ProfileView => ({
  username: user.username,
  bio: user.bio,
  image: user.image,
  following: false,
});

export const articleViewOf = (
  article: ArticleState,
  author: ProfileView,
  viewer: { readonly favorited: boolean; readonly favoritesCount: number },
): ArticleView => ({
  slug: article.slug,
  title: article.title,
  description: article.description,
  body: article.body,
  tagList: [...article.tagList],
  createdAt: article.createdAt.toISOString(),
  updatedAt: article.updatedAt.toISOString(),
  favorited: viewer.favorited,
  favoritesCount: viewer.favoritesCount,
  author,
});

export const commentViewOf = (comment: CommentState, author: ProfileView): CommentView => ({
  id: comment.id,
  createdAt: comment.createdAt.toISOString(),
  updatedAt: comment.updatedAt.toISOString(),
  body: comment.body,
  author,
});
