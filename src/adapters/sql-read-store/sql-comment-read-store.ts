import { inject, injectable } from 'inversify';
import type { CommentReadStore } from '../../application/comments/comment.read-store.js';
import type { StoredComment } from '../../application/read-model/stored.js';
import { SqlOrmToken, type SqlOrm } from '../postgres/orm.js';
import { authorColumns, isoTimestamp, SqlReadDatabase, toAuthor, type AuthorColumns } from './sql-read-database.js';
import { SqlActiveGeneration, type SqlGenerationSource } from './sql-read-generation.js';

interface CommentRow extends AuthorColumns {
  readonly id: number;
  readonly article_id: string;
  readonly body: string;
  readonly created_at: string;
  readonly updated_at: string;
}

const COLUMNS = `c.id, c.article_id, c.body,
  ${isoTimestamp('c.created_at')} as created_at, ${isoTimestamp('c.updated_at')} as updated_at, ${authorColumns('c')}`;

const toComment = (row: CommentRow): StoredComment => ({
  id: row.id,
  articleId: row.article_id,
  body: row.body,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  author: toAuthor(row),
});

/** Comments from `rm_comments` of the active generation, authors embedded: one statement per call. */
@injectable()
export class SqlCommentReadStore implements CommentReadStore {
  private readonly db: SqlReadDatabase;

  constructor(
    @inject(SqlOrmToken) orm: SqlOrm,
    @inject(SqlActiveGeneration) private readonly generation: SqlGenerationSource,
  ) {
    this.db = new SqlReadDatabase(orm);
  }

  async listByArticle(articleId: string): Promise<StoredComment[]> {
    const t = await this.generation.tables();
    const rows = await this.db.rows<CommentRow>(
      `select ${COLUMNS} from ${t.comments} c where c.article_id = $1 order by c.created_at, c.id`,
      [articleId],
    );
    return rows.map(toComment);
  }

  async findById(commentId: number): Promise<StoredComment | null> {
    const t = await this.generation.tables();
    const [row] = await this.db.rows<CommentRow>(`select ${COLUMNS} from ${t.comments} c where c.id = $1`, [
      commentId,
    ]);
    return row ? toComment(row) : null;
  }
}
