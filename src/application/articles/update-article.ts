import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import { Article, type ArticleForbiddenError, type ArticleValidationError } from '../../domain/index.js';
import { loadActor } from '../shared/actor.js';
import { articleNotFound, type ArticleNotFound, type UnknownActor } from '../shared/errors.js';
import type { CommandHandler } from '../shared/handler.js';
import { RACE_RETRIES, type SaveConflict } from '../shared/persistence.js';
import { Clock, IdGenerator } from '../shared/ports.js';
import { UserRepository } from '../users/user.repository.js';
import { parseArticleFields, type ArticleFields } from './article-content.js';
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
 * load and save (optimistic concurrency), the edit is re-applied to the fresh state, so
 * concurrent edits of different fields both land and no edit is silently lost.
 */
@injectable()
export class UpdateArticleHandler implements CommandHandler<UpdateArticle, { slug: string }, UpdateArticleError> {
  constructor(
    @inject(ArticleRepository) private readonly articles: ArticleRepository,
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(command: UpdateArticle): Promise<Result<{ slug: string }, UpdateArticleError>> {
    // Who, then whether it exists, then whether they may, then what they sent: a stranger
    // learns nothing from validation messages about an article they cannot edit.
    const actor = await loadActor(this.users, command.actorId);
    if (actor.isErr()) return actor;
    let article = await this.articles.findBySlug(command.slug);
    for (let attempt = 0; ; attempt++) {
      if (article === null) return Err(articleNotFound());
      const allowed = article.authorize(actor.value);
      if (allowed.isErr()) return allowed;
      const edit = parseArticleFields(command);
      if (edit.isErr()) return edit;
      const baseTaken =
        edit.value.title !== undefined && article.needsNewSlug(edit.value)
          ? await this.articles.isSlugTaken(Article.slugFor(edit.value.title), article.id)
          : false;
      const edited = article.edit(actor.value, edit.value, { baseTaken, uniqueSuffix: this.ids.newSuffix() }, this.clock.now());
      if (edited.isErr()) return edited;
      const saved = await this.articles.save(article);
      if (saved.isOk()) return Ok({ slug: article.slug });
      const retriable = saved.error.code === 'CONCURRENT_UPDATE' || saved.error.code === 'ARTICLE.SLUG_TAKEN';
      if (!retriable || attempt >= RACE_RETRIES) return Err(saved.error);
      // Reloaded by id: a concurrent edit may have moved the slug.
      article = await this.articles.findById(article.id);
    }
  }
}
