import { describe } from 'vitest';
import { InMemoryArticleReadStore } from '../../../src/adapters/memory/in-memory-article-read-store.js';
import { InMemoryCommentReadStore } from '../../../src/adapters/memory/in-memory-comment-read-store.js';
import { InMemoryReadModelWriter } from '../../../src/adapters/memory/in-memory-read-model.writer.js';
import { InMemoryReadDatabase } from '../../../src/adapters/memory/in-memory-read-store.js';
import { InMemoryRelationshipReadStore } from '../../../src/adapters/memory/in-memory-relationship-read-store.js';
import { InMemoryUserReadStore } from '../../../src/adapters/memory/in-memory-user-read-store.js';
import { readStoreContracts } from './read-store.contract.js';

describe('in-memory read store', () => {
  readStoreContracts(async () => {
    const db = new InMemoryReadDatabase();
    return {
      writer: new InMemoryReadModelWriter(db),
      users: new InMemoryUserReadStore(db),
      articles: new InMemoryArticleReadStore(db),
      comments: new InMemoryCommentReadStore(db),
      relationships: new InMemoryRelationshipReadStore(db),
    };
  });
});
