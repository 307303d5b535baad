import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import {
  actsWithPrivilege,
  ArticleEdit,
  type ArticleFields,
  type ArticleForbiddenError,
  type ArticleValidationError,
} from '../../domain/index.js';
import { FavoriteRepository } from '../favorites/favorite.repository.js';
import { ProfileLookup } from '../profiles/profile-lookup.js';
import { actorOf } from '../shared/actor.js';
import { AuditLog, userActor } from '../shared/audit-log.js';
import { articleNotFound, unknownActor, type ArticleNotFound, type UnknownActor } from '../shared/errors.js';
import type { CommandHandler } from '../shared/handler.js';
import { referenceGoneAs, type SaveConflict } from '../shared/persistence.js';
import { Clock, IdGenerator } from '../shared/ports.js';
import { retryRaces } from '../shared/retry.js';
import type { ArticleView } from '../shared/views.js';
import { articleViewOf, ownProfileOf } from '../shared/write-side-views.js';
import { UserRepository } from '../users/user.repository.js';
import { ArticleRepository } from './article.repository.js';

export interface UpdateArticle extends ArticleFields {
  readonly actorId: string;
  readonly slug: string;
}

export type UpdateArticleError =
  | ArticleValidationError
  | ArticleForbiddenError
  | ArticleNotFound
  | UnknownActor
  | SaveConflict;

/**
 * A partial edit: absent fields stay. When another request changed the article between
 * load and save (optimistic concurrency), the edit is applied again to the fresh state —
 * as UpdateUser does — so concurrent edits of different fields both land and no edit is
 * silently lost.
 */
@injectable()
export class UpdateArticleHandler implements CommandHandler<UpdateArticle, ArticleView, UpdateArticleError> {
  constructor(
    @inject(ArticleRepository) private readonly articles: ArticleRepository,
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(FavoriteRepository) private readonly favorites: FavoriteRepository,
    @inject(ProfileLookup) private readonly profiles: ProfileLookup,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
    @inject(AuditLog) private readonly audit: AuditLog,
  ) {}

  async execute(command: UpdateArticle): Promise<Result<ArticleView, UpdateArticleError>> {
    // Who, then whether it exists, then whether they may, then what they sent: a stranger
    // learns nothing from validation messages about an article they cannot edit.
    const user = await this.users.findById(command.actorId);
    if (user === null) return Err(unknownActor());
    const actor = actorOf(user);
    let articleId: string | null = null;
    let baseTaken = false;

    return retryRaces(async () => {
      // Reloaded by id after a lost race: a concurrent edit may have moved the slug.
      const article =
        articleId === null ? await this.articles.findBySlug(command.slug) : await this.articles.findById(articleId);
      if (article === null) return Err(articleNotFound());
      articleId = article.id;
      const allowed = article.authorize(actor);
      if (allowed.isErr()) return allowed;
      const edit = ArticleEdit.parse(command);
      if (edit.isErr()) return edit;
      const edited = article.edit(
        actor,
        edit.value,
        { baseTaken, uniqueSuffix: this.ids.newSuffix() },
        this.clock.now(),
      );
      if (edited.isErr()) return edited;
      // The author's own edit (the common case) answers with the profile loaded above: one
      // look-up fewer. An admin's edit of another's article looks the author up.
      const [saved, author, stored] = await Promise.all([
        this.articles.save(article),
        article.authorId === user.id ? ownProfileOf(user.snapshot()) : this.profiles.profileOf(article.authorId, actor.userId),
        this.favorites.find(actor.userId, article.id),
      ]);
      if (saved.isErr()) {
        if (saved.error.code === 'ARTICLE.SLUG_TAKEN') baseTaken = true;
        return Err(referenceGoneAs(saved.error, articleNotFound));
      }
      if (author === null) return Err(articleNotFound());
      if (actsWithPrivilege(actor, article.authorId))
        this.audit.record({ actor: userActor(actor.userId), action: 'article.update', target: article.slug, owner: article.authorId });
      return Ok(
        articleViewOf(article.snapshot(), author, {
          favorited: stored.favorite?.active ?? false,
          favoritesCount: stored.favoritesCount,
        }),
      );
    });
  }
}
