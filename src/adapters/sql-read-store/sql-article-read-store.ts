import { inject, injectable } from 'inversify';
import type { ArticleFilter, ArticleReadStore } from '../../application/articles/article.read-store.js';
import type { StoredArticle, StoredArticleSummary } from '../../application/read-model/stored.js';
import type { Page, Paged } from '../../application/shared/ports.js';
import { Username } from '../../domain/index.js';
import { SqlOrmToken, type SqlOrm } from '../postgres/orm.js';
import { authorColumns, isoTimestamp, SqlReadDatabase, toAuthor, type AuthorColumns } from './sql-read-database.js';
import { SqlActiveGeneration, type SqlGenerationSource } from './sql-read-generation.js';
import type { ReadTables } from './sql-read-model.schema.js';

interface SummaryRow extends AuthorColumns {
  readonly id: string;
  readonly slug: string;
  readonly title: string;
  readonly description: string;
  readonly tag_list: string[];
  readonly created_at: string;
  readonly updated_at: string;
  readonly favorites_count: number;
}

interface ArticleRow extends SummaryRow {
  readonly body: string;
}

const SUMMARY_COLUMNS = `a.id, a.slug, a.title, a.description, a.tag_list,
  ${isoTimestamp('a.created_at')} as created_at, ${isoTimestamp('a.updated_at')} as updated_at,
  a.favorites_count, ${authorColumns('a')}`;

/** Newest first; `id` breaks ties so that consecutive pages neither repeat nor skip rows. */
const LIST_ORDER = `order by a.created_at desc, a.id desc`;

const toSummary = (row: SummaryRow): StoredArticleSummary => ({
  id: row.id,
  slug: row.slug,
  title: row.title,
  description: row.description,
  tagList: row.tag_list,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  favoritesCount: row.favorites_count,
  author: toAuthor(row),
});

/** Accumulates bound parameters and hands back their `$n` placeholders. */
class Params {
  readonly values: unknown[] = [];
  bind(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * Articles from `rm_articles` of the active generation. Every list is exactly two
 * statements, the page and its count, whatever the page size or the filters: authors are
 * embedded and favourite counts stored, so nothing is looked up per row.
 */
@injectable()
export class SqlArticleReadStore implements ArticleReadStore {
  private readonly db: SqlReadDatabase;

  constructor(
    @inject(SqlOrmToken) orm: SqlOrm,
    @inject(SqlActiveGeneration) private readonly generation: SqlGenerationSource,
  ) {
    this.db = new SqlReadDatabase(orm);
  }

  async findBySlug(slug: string): Promise<StoredArticle | null> {
    const t = await this.generation.tables();
    const [row] = await this.db.rows<ArticleRow>(
      `select ${SUMMARY_COLUMNS}, a.body from ${t.articles} a where a.slug = $1`,
      [slug],
    );
    return row ? { ...toSummary(row), body: row.body } : null;
  }

  async list(filter: ArticleFilter, page: Page): Promise<Paged<StoredArticleSummary>> {
    const t = await this.generation.tables();
    const params = new Params();
    const conditions: string[] = [];
    if (filter.tag !== undefined) conditions.push(`a.tag_list @> array[${params.bind(filter.tag)}::text]`);
    // An unknown user makes the scalar sub-select null, and `= null` matches nothing.
    if (filter.authorKey !== undefined)
      conditions.push(
        `a.author_id = (select u.id from ${t.users} u where u.username_key = ${params.bind(Username.keyOf(filter.authorKey))})`,
      );
    if (filter.favoritedByKey !== undefined)
      conditions.push(
        `a.id in (select f.article_id from ${t.favorites} f
                  where f.active and f.user_id = (select u.id from ${t.users} u where u.username_key = ${params.bind(
                    Username.keyOf(filter.favoritedByKey),
                  )}))`,
      );
    return this.page(t, conditions, params, page);
  }

  async feed(followerId: string, page: Page): Promise<Paged<StoredArticleSummary>> {
    const t = await this.generation.tables();
    const params = new Params();
    const condition = `a.author_id in (select s.followee_id from ${t.follows} s
                                       where s.follower_id = ${params.bind(followerId)} and s.active)`;
    return this.page(t, [condition], params, page);
  }

  async tags(): Promise<string[]> {
    const t = await this.generation.tables();
    const rows = await this.db.rows<{ tag: string }>(
      `select tag from ${t.tags} where article_count > 0 order by article_count desc, tag`,
    );
    return rows.map((r) => r.tag);
  }

  private async page(
    t: ReadTables,
    conditions: string[],
    params: Params,
    page: Page,
  ): Promise<Paged<StoredArticleSummary>> {
    const where = conditions.length > 0 ? `where ${conditions.join(' and ')}` : '';
    const filterValues = [...params.values];
    const limit = params.bind(page.limit);
    const offset = params.bind(page.offset);
    const [rows, counted] = await Promise.all([
      this.db.rows<SummaryRow>(
        `select ${SUMMARY_COLUMNS} from ${t.articles} a ${where} ${LIST_ORDER} limit ${limit} offset ${offset}`,
        params.values,
      ),
      this.db.rows<{ total: number }>(`select count(*)::int as total from ${t.articles} a ${where}`, filterValues),
    ]);
    return { items: rows.map(toSummary), total: counted[0]?.total ?? 0 };
  }
}
