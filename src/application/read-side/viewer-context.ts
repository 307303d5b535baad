import { inject, injectable } from 'inversify';
import type { CommentView, ProfileView } from '../shared/views.js';
import type { ArticleSummaryReadModel, AuthorReadModel, CommentReadModel } from './read-models.js';
import { RelationshipReadStore } from './relationship.read-store.js';

/** A stored article as the viewer sees it: internal ids dropped, relationships added. */
export type Personalised<A extends ArticleSummaryReadModel> = Omit<A, 'id' | 'author'> & {
  readonly favorited: boolean;
  readonly author: ProfileView;
};

const NOBODY: ReadonlySet<string> = new Set();

/**
 * Adds the viewer-specific fields (`following`, `favorited`) to stored views: one batch
 * look-up per relationship for a whole page, none at all for an anonymous viewer.
 */
@injectable()
export class ViewerContext {
  constructor(@inject(RelationshipReadStore) private readonly relationships: RelationshipReadStore) {}

  async forAuthors(
    viewerId: string | undefined,
    authors: readonly AuthorReadModel[],
  ): Promise<(author: AuthorReadModel) => ProfileView> {
    const followed = viewerId
      ? await this.relationships.followedAmong(viewerId, unique(authors.map((a) => a.id)))
      : NOBODY;
    return (author) => toProfile(author, followed.has(author.id));
  }

  async forArticles<A extends ArticleSummaryReadModel>(
    viewerId: string | undefined,
    articles: readonly A[],
  ): Promise<(article: A) => Personalised<A>> {
    const [followed, favorited] = viewerId
      ? await Promise.all([
          this.relationships.followedAmong(viewerId, unique(articles.map((a) => a.author.id))),
          this.relationships.favoritedAmong(viewerId, unique(articles.map((a) => a.id))),
        ])
      : [NOBODY, NOBODY];
    return (article) => {
      const { id, author, ...rest } = article;
      return { ...rest, favorited: favorited.has(id), author: toProfile(author, followed.has(author.id)) };
    };
  }
}

const unique = (ids: readonly string[]): string[] => [...new Set(ids)];

const toProfile = (author: AuthorReadModel, following: boolean): ProfileView => ({
  username: author.username,
  bio: author.bio,
  image: author.image,
  following,
});

/** Comments as the viewer sees them: each author with the viewer's `following`, one look-up for all. */
export async function toCommentViews(
  viewer: ViewerContext,
  viewerId: string | undefined,
  comments: readonly CommentReadModel[],
): Promise<CommentView[]> {
  const personalise = await viewer.forAuthors(
    viewerId,
    comments.map((c) => c.author),
  );
  return comments.map((c) => ({
    id: c.id,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    body: c.body,
    author: personalise(c.author),
  }));
}
