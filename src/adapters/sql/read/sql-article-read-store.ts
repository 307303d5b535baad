import { inject, injectable } from 'inversify';
import type { ArticleFilter, ArticleReadStore } from '../../../application/read-side/article.read-store.js';
import type { ArticleReadModel, ArticleSummaryReadModel } from '../../../application/read-side/read-models.js';
import { counterKey } from '../../../application/read-side/read-model-rules.js';
import type { Page, Paged } from '../../../application/shared/ports.js';
import { Username } from '../../../domain/index.js';
import { isoTimestamp } from '../sql-database.js';
import type { ReadTables } from './read-tables.js';
import { pendingSum } from './sql-pending-counts.js';
import { authorColumns, SqlReadContext, toAuthor, type AuthorColumns } from './sql-read-context.js';

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

/** An article's favourites: its counter plus the deltas not folded into it yet (sql-pending-counts.ts). */
const summaryColumns = (t: ReadTables) => `a.id, a.slug, a.title, a.description, a.tag_list,
  ${isoTimestamp('a.created_at')} as created_at, ${isoTimestamp('a.updated_at')} as updated_at,
  (a.favorites_count + ${pendingSum(t, 'favorites', 'a.id')})::int as favorites_count, ${authorColumns('a')}`;

/** What `summaryColumns` reads of a row, selected while a list's page is cut. */
const PAGE_COLUMNS = `a.id, a.slug, a.title, a.description, a.tag_list, a.created_at, a.updated_at, a.favorites_count, ${authorColumns('a')}`;

/** Newest first; `id` breaks ties so that consecutive pages neither repeat nor skip rows. */
const LIST_ORDER = `order by a.created_at desc, a.id desc`;

const toSummary = (row: SummaryRow): ArticleSummaryReadModel => ({
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

/** The key prefix of the per-author and per-favouriter counts (read-model-rules.ts). */
const AUTHOR_KEY = counterKey({ kind: 'author', authorId: '' });
const FAVORITED_KEY = counterKey({ kind: 'favorited', userId: '' });
const ALL_KEY = counterKey({ kind: 'articles' });

/**
 * Articles from `rm_articles` of the active generation. Every list is exactly two
 * statements, the page and its total, whatever the page size or the filters: authors are
 * embedded and favourite counts stored, so nothing is looked up per row, and the total of
 * no filter or one filter is a count the projections maintain (one row read), the feed's
 * the sum of the followed authors' counts. Only a combination of filters counts rows, and
 * the planner counts them within the narrowest set (an author's articles, a user's
 * favourites).
 */
@injectable()
export class SqlArticleReadStore implements ArticleReadStore {
  constructor(@inject(SqlReadContext) private readonly read: SqlReadContext) {}

  async findBySlug(slug: string): Promise<ArticleReadModel | null> {
    const t = await this.read.tables();
    const [row] = await this.read.run<ArticleRow>(
      `select ${summaryColumns(t)}, a.body from ${t.articles} a where a.slug = $1`,
      [slug],
    );
    return row ? { ...toSummary(row), body: row.body } : null;
  }

  async list(filter: ArticleFilter, page: Page): Promise<Paged<ArticleSummaryReadModel>> {
    const t = await this.read.tables();
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
    return this.page(t, conditions, params, page, totalOf(t, filter, conditions));
  }

  async feed(followerId: string, page: Page): Promise<Paged<ArticleSummaryReadModel>> {
    const t = await this.read.tables();
    const params = new Params();
    const follower = params.bind(followerId);
    const condition = `a.author_id in (select s.followee_id from ${t.follows} s
                                       where s.follower_id = ${follower} and s.active)`;
    // Bounded by the number of followed authors, not by their articles.
    const total = `with keys as (select '${AUTHOR_KEY}' || s.followee_id as key from ${t.follows} s
                                  where s.follower_id = ${follower} and s.active)
                   select (coalesce((select sum(c.n) from ${t.counts} c join keys k on c.key = k.key), 0)
                           + coalesce((select sum(p.n) from ${t.countDeltas} p join keys k
                                        on p.kind = 'count' and p.key = k.key), 0))::int as total`;
    return this.page(t, [condition], params, page, total);
  }

  async tags(): Promise<string[]> {
    const rows = await this.read.query<{ tag: string }>(
      (t) => `select tag from (select tag, article_count as n from ${t.tags}
                                 union all select key, n from ${t.countDeltas} where kind = 'tag') as counted
              group by tag having sum(n) > 0 order by sum(n) desc, tag`,
    );
    return rows.map((r) => r.tag);
  }

  private async page(
    t: ReadTables,
    conditions: string[],
    params: Params,
    page: Page,
    total: string,
  ): Promise<Paged<ArticleSummaryReadModel>> {
    const where = conditions.length > 0 ? `where ${conditions.join(' and ')}` : '';
    const filterValues = [...params.values];
    const limit = params.bind(page.limit);
    const offset = params.bind(page.offset);
    const [rows, counted] = await Promise.all([
      this.read.run<SummaryRow>(
        // The page is cut first and the pending favourites added to its rows only: a plan that
        // sorts the matching rows (the cached generic plan of a tag's page does) would else
        // sum them for every match, not for the twenty shown.
        `select ${summaryColumns(t)}
           from (select ${PAGE_COLUMNS} from ${t.articles} a ${where} ${LIST_ORDER} limit ${limit} offset ${offset}) a
          ${LIST_ORDER}`,
        params.values,
      ),
      this.read.run<{ total: number | null }>(total, filterValues),
    ]);
    return { items: rows.map(toSummary), total: counted[0]?.total ?? 0 };
  }
}

/**
 * The statement that answers a list's total, with the filter's parameters ($1…): a
 * maintained count for no filter or a single one, a count of rows for a combination.
 */
function totalOf(t: ReadTables, filter: ArticleFilter, conditions: readonly string[]): string {
  const given = [filter.tag, filter.authorKey, filter.favoritedByKey].filter((f) => f !== undefined).length;
  if (given > 1) return `select count(*)::int as total from ${t.articles} a where ${conditions.join(' and ')}`;
  // A maintained count is its row plus its deltas not folded yet (sql-pending-counts.ts).
  if (given === 0)
    return `select (coalesce((select n from ${t.counts} where key = '${ALL_KEY}'), 0)
                    + ${pendingSum(t, 'count', `'${ALL_KEY}'`)})::int as total`;
  if (filter.tag !== undefined)
    return `select (coalesce((select article_count from ${t.tags} where tag = $1), 0)
                    + ${pendingSum(t, 'tag', '$1')})::int as total`;
  const prefix = filter.authorKey !== undefined ? AUTHOR_KEY : FAVORITED_KEY;
  return `select coalesce((select coalesce(c.n, 0) + ${pendingSum(t, 'count', `'${prefix}' || u.id`)}
                             from ${t.users} u left join ${t.counts} c on c.key = '${prefix}' || u.id
                            where u.username_key = $1), 0)::int as total`;
}
