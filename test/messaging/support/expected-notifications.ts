import type { SqlExecutor } from '../../../src/adapters/sql/sql-database.js';

/**
 * What the write model says should have been announced, one line per notification, and
 * what the notifier stored — the same line format, sorted, duplicates kept (a repeat
 * shows as two equal lines). The rules are the notifications' documented ones:
 * - followers whose follow (still active) began before an article was published;
 * - the author, for each comment by someone else and each standing favourite by someone else;
 * - the followee, for each standing follow.
 */
export async function expectedNotifications(db: SqlExecutor): Promise<string[]> {
  const rows = await db.query<{ line: string }>(`
    select concat_ws(' ', f.follower_id, 'article.published', a.author_id, a.id, '-') as line
      from articles a join follows f on f.followee_id = a.author_id and f.active and f.updated_at <= a.created_at
    union all
    select concat_ws(' ', a.author_id, 'article.commented', c.author_id, a.id, c.id)
      from comments c join articles a on a.id = c.article_id where c.author_id <> a.author_id
    union all
    select concat_ws(' ', a.author_id, 'article.favorited', v.user_id, a.id, '-')
      from favorites v join articles a on a.id = v.article_id where v.active and v.user_id <> a.author_id
    union all
    select concat_ws(' ', f.followee_id, 'user.followed', f.follower_id, '-', '-') from follows f where f.active`);
  return rows.map((row) => row.line).sort();
}

export async function storedNotifications(db: SqlExecutor): Promise<string[]> {
  const rows = await db.query<{ line: string }>(`
    select concat_ws(' ', recipient_id, type, actor_id, coalesce(article_id::text, '-'), coalesce(comment_id::text, '-')) as line
      from notifications where withdrawn_at is null`);
  return rows.map((row) => row.line).sort();
}

/** The lines only one side has, for a failure message. */
export function difference(expected: readonly string[], stored: readonly string[]): string {
  const missing = expected.filter((line) => !stored.includes(line));
  const extra = stored.filter((line) => !expected.includes(line));
  const repeated = stored.filter((line, i) => stored.indexOf(line) !== i);
  return `missing ${missing.length}: ${missing.slice(0, 5).join('; ')}\nextra ${extra.length}: ${extra.slice(0, 5).join('; ')}\nrepeated ${repeated.length}: ${repeated.slice(0, 5).join('; ')}`;
}
