import { inject, injectable } from 'inversify';
import type { ConduitEvent } from '../../domain/index.js';
import { ReadModelWriter } from './read-model.writer.js';

/**
 * Turns each domain event into read-model updates. Every event carries the full state the
 * read model needs (snapshots, not deltas), and every writer call is version-guarded, so
 * applying an event twice or late changes nothing.
 */
@injectable()
export class ConduitProjection {
  constructor(@inject(ReadModelWriter) private readonly writer: ReadModelWriter) {}

  async apply(event: ConduitEvent): Promise<void> {
    switch (event.type) {
      case 'UserRegistered':
      case 'UserUpdated': {
        const { userId, username, email, bio, image } = event.payload;
        return this.writer.upsertUser({ id: userId, username, email, bio, image, version: event.version });
      }
      case 'UserFollowed':
      case 'UserUnfollowed':
        return this.writer.setFollow(
          event.payload.followerId,
          event.payload.followeeId,
          event.type === 'UserFollowed',
          event.version,
        );
      case 'ArticlePublished':
      case 'ArticleUpdated': {
        const p = event.payload;
        return this.writer.upsertArticle({
          id: p.articleId,
          authorId: p.authorId,
          slug: p.slug,
          title: p.title,
          description: p.description,
          body: p.body,
          tagList: p.tagList,
          createdAt: p.createdAt,
          updatedAt: p.updatedAt,
          version: event.version,
        });
      }
      case 'ArticleDeleted':
        return this.writer.deleteArticle(event.payload.articleId, event.version);
      case 'ArticleFavorited':
      case 'ArticleUnfavorited':
        return this.writer.setFavorite(
          event.payload.userId,
          event.payload.articleId,
          event.type === 'ArticleFavorited',
          event.version,
        );
      case 'CommentAdded': {
        const p = event.payload;
        return this.writer.addComment({
          id: p.commentId,
          articleId: p.articleId,
          authorId: p.authorId,
          body: p.body,
          createdAt: p.createdAt,
        });
      }
      case 'CommentDeleted':
        return this.writer.deleteComment(event.payload.commentId);
    }
  }
}
