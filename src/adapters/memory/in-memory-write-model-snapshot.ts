import { inject, injectable } from 'inversify';
import type { ReadModelChange } from '../../application/read-side/read-model-changes.js';
import {
  checkBatchSize,
  type WriteModelCounts,
  type WriteModelSnapshot,
} from '../../application/read-side/write-model-snapshot.js';
import { articleSnapshotPayload } from '../../domain/index.js';
import type { MemoryTable } from './in-memory-tables.js';
import { InMemoryWriteStore } from './in-memory-write-store.js';

/** A primary key as a tuple compared element by element, as PostgreSQL compares row values. */
type Key = readonly (string | number)[];

const compareKeys = (a: Key, b: Key): number => {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as string | number;
    const y = b[i] as string | number;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
};

/**
 * The in-memory twin of SqlWriteModelSnapshot: the same rows, shapes and order
 * (canonical lower-case uuids compare as text exactly as PostgreSQL compares uuids;
 * comment ids as numbers), each batch read afresh after the previous key, so rows written
 * between batches show up or not just as they would in SQL.
 */
@injectable()
export class InMemoryWriteModelSnapshot implements WriteModelSnapshot {
  constructor(@inject(InMemoryWriteStore) private readonly store: InMemoryWriteStore) {}

  async counts(): Promise<WriteModelCounts> {
    const all = () => true;
    return {
      users: this.store.users.where(all).length,
      articles: this.store.articles.where(all).length,
      follows: this.store.follows.where(all).length,
      favorites: this.store.favorites.where(all).length,
      comments: this.store.comments.where(all).length,
    };
  }

  users(batchSize: number): AsyncIterable<readonly ReadModelChange[]> {
    return list(this.store.users, (row) => [row.id], batchSize, (row) => ({
      kind: 'user',
      user: { userId: row.id, username: row.username, email: row.email, bio: row.bio, image: row.image },
      version: row.version,
    }));
  }

  articles(batchSize: number): AsyncIterable<readonly ReadModelChange[]> {
    return list(this.store.articles, (row) => [row.id], batchSize, (row) => ({
      kind: 'article',
      article: articleSnapshotPayload(row),
      version: row.version,
    }));
  }

  follows(batchSize: number): AsyncIterable<readonly ReadModelChange[]> {
    return list(this.store.follows, (row) => [row.followerId, row.followeeId], batchSize, (row) => {
      const { followerId, followeeId, active, version } = row;
      return { kind: 'follow', pair: { followerId, followeeId }, active, version };
    });
  }

  favorites(batchSize: number): AsyncIterable<readonly ReadModelChange[]> {
    return list(this.store.favorites, (row) => [row.userId, row.articleId], batchSize, (row) => {
      const { userId, articleId, active, version } = row;
      return { kind: 'favorite', pair: { userId, articleId }, active, version };
    });
  }

  comments(batchSize: number): AsyncIterable<readonly ReadModelChange[]> {
    return list(this.store.comments, (row) => [row.id], batchSize, (row) => ({
      kind: 'comment',
      comment: {
        commentId: row.id,
        articleId: row.articleId,
        authorId: row.authorId,
        body: row.body,
        createdAt: row.createdAt.toISOString(),
      },
    }));
  }
}

/** Keyset pagination over a table: each batch is the `batchSize` smallest keys after the last one seen. */
function list<Row extends { readonly version: number }, Item>(
  table: MemoryTable<Row>,
  keyOf: (row: Row) => Key,
  batchSize: number,
  toItem: (row: Row) => Item,
): AsyncIterable<readonly Item[]> {
  checkBatchSize(batchSize);
  return {
    async *[Symbol.asyncIterator]() {
      let after: Key | null = null;
      for (;;) {
        const from: Key | null = after;
        const batch = table
          .where((row) => from === null || compareKeys(keyOf(row), from) > 0)
          .sort((a, b) => compareKeys(keyOf(a), keyOf(b)))
          .slice(0, batchSize);
        if (batch.length === 0) return;
        yield batch.map(toItem);
        if (batch.length < batchSize) return;
        after = keyOf(batch[batch.length - 1] as Row);
      }
    },
  };
}
