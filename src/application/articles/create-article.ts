import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import { Article, ArticleDraft, type ArticleFields, type ArticleValidationError } from '../../domain/index.js';
import { ProfileLookup } from '../profiles/profile-lookup.js';
import { unknownActor, type UnknownActor } from '../shared/errors.js';
import type { CommandHandler } from '../shared/handler.js';
import { referenceGoneAs, type SaveConflict } from '../shared/persistence.js';
import { Clock, IdGenerator } from '../shared/ports.js';
import { retryRaces } from '../shared/retry.js';
import type { ArticleView } from '../shared/views.js';
import { articleViewOf } from '../shared/write-side-views.js';
import { ArticleRepository } from './article.repository.js';

export interface CreateArticle extends ArticleFields {
  readonly authorId: string;
}

export type CreateArticleError = ArticleValidationError | UnknownActor | SaveConflict;

@injectable()
export class CreateArticleHandler implements CommandHandler<CreateArticle, ArticleView, CreateArticleError> {
  constructor(
    @inject(ArticleRepository) private readonly articles: ArticleRepository,
    @inject(ProfileLookup) private readonly profiles: ProfileLookup,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(command: CreateArticle): Promise<Result<ArticleView, CreateArticleError>> {
    const draft = ArticleDraft.parse(command);
    if (draft.isErr()) return draft;
    const author = await this.profiles.profileOf(command.authorId, undefined);
    if (author === null) return Err(unknownActor());

    const id = this.ids.newId();
    // The title's own slug first; when another article holds it (the unique constraint
    // says so), the next attempt takes a suffixed one.
    let baseTaken = false;
    return retryRaces(async () => {
      const article = Article.publish({
        id,
        authorId: command.authorId,
        draft: draft.value,
        slug: { baseTaken, uniqueSuffix: this.ids.newSuffix() },
        now: this.clock.now(),
      });
      const saved = await this.articles.save(article);
      if (saved.isErr()) {
        if (saved.error.code === 'ARTICLE.SLUG_TAKEN') baseTaken = true;
        return Err(referenceGoneAs(saved.error, unknownActor));
      }
      return Ok(articleViewOf(article.snapshot(), author, { favorited: false, favoritesCount: 0 }));
    });
  }
}
