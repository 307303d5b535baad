import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import { Article, validationError, type ArticleValidationError } from '../../domain/index.js';
import { unknownActor, type UnknownActor } from '../shared/errors.js';
import type { CommandHandler } from '../shared/handler.js';
import { RACE_RETRIES, type SaveConflict } from '../shared/persistence.js';
import { Clock, IdGenerator } from '../shared/ports.js';
import { UserRepository } from '../users/user.repository.js';
import { parseArticleFields } from './article-content.js';
import { ArticleRepository } from './article.repository.js';

export interface CreateArticle {
  readonly authorId: string;
  readonly title: string;
  readonly description: string;
  readonly body: string;
  readonly tagList?: readonly string[] | null;
}

export type CreateArticleError = ArticleValidationError | UnknownActor | SaveConflict;

@injectable()
export class CreateArticleHandler implements CommandHandler<CreateArticle, { slug: string }, CreateArticleError> {
  constructor(
    @inject(ArticleRepository) private readonly articles: ArticleRepository,
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(command: CreateArticle): Promise<Result<{ slug: string }, CreateArticleError>> {
    const parsed = parseArticleFields({ ...command, tagList: command.tagList ?? [] });
    if (parsed.isErr()) return parsed;
    const { title, description, body, tagList = [] } = parsed.value;
    if (title === undefined || description === undefined || body === undefined)
      return Err(validationError('ARTICLE.TITLE_INVALID', 'article', "can't be blank"));
    if ((await this.users.findById(command.authorId)) === null) return Err(unknownActor());

    const id = this.ids.newId();
    // A slug can be taken between the check and the insert; then the unique constraint
    // refuses it and the next attempt goes straight to a suffixed slug.
    let baseTaken = await this.articles.isSlugTaken(Article.slugFor(title));
    for (let attempt = 0; ; attempt++) {
      const article = Article.publish({
        id,
        authorId: command.authorId,
        content: { title, description, body, tagList },
        slug: { baseTaken, uniqueSuffix: this.ids.newSuffix() },
        now: this.clock.now(),
      });
      const saved = await this.articles.save(article);
      if (saved.isOk()) return Ok({ slug: article.slug });
      if (saved.error.code !== 'ARTICLE.SLUG_TAKEN' || attempt >= RACE_RETRIES) return Err(saved.error);
      baseTaken = true;
    }
  }
}
