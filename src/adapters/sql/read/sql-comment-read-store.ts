import { inject, injectable } from 'inversify';
import type { CommentReadStore } from '../../../application/read-side/comment.read-store.js';
import type { CommentReadModel } from '../../../application/read-side/read-models.js';
import { isoTimestamp } from '../sql-database.js';
import { authorColumns, SqlReadContext, toAuthor, type AuthorColumns } from './sql-read-context.js';

interface CommentRow extends AuthorColumns {
  readonly id: number;
  readonly article_id: string;
  readonly body: string;
  readonly created_at: string;
  readonly updated_at: string;
}

const COLUMNS = `c.id, c.article_id, c.body,
  ${isoTimestamp('c.created_at')} as created_at, ${isoTimestamp('c.updated_at')} as updated_at, ${authorColumns('c')}`;

/** Comments from `rm_comments` of the active generation, authors embedded: one statement per call. */
@injectable()
export class SqlCommentReadStore implements CommentReadStore {
  constructor(@inject(SqlReadContext) private readonly read: SqlReadContext) {}

  async listByArticle(articleId: string): Promise<CommentReadModel[]> {
    const rows = await this.read.query<CommentRow>(
      (t) => `select ${COLUMNS} from ${t.comments} c where c.article_id = $1 order by c.created_at, c.id`,
      [articleId],
    );
    return rows.map((row) => ({
      id: row.id,
      articleId: row.article_id,
      body: row.body,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      author: toAuthor(row),
    }));
  }
}
