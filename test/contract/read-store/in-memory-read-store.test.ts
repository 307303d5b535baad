import { describe } from 'vitest';
import { InMemoryArticleReadStore } from '../../../src/adapters/memory/in-memory-article-read-store.js';
import { InMemoryCommentReadStore } from '../../../src/adapters/memory/in-memory-comment-read-store.js';
import { InMemoryReadModelStore } from '../../../src/adapters/memory/in-memory-read-model.store.js';
import { InMemoryReadModelWriter } from '../../../src/adapters/memory/in-memory-read-model.writer.js';
import { InMemoryRelationshipReadStore } from '../../../src/adapters/memory/in-memory-relationship-read-store.js';
import { InMemoryUserReadStore } from '../../../src/adapters/memory/in-memory-user-read-store.js';
import { ensureActiveGeneration } from '../../../src/application/projections/ensure-active-generation.js';
import { readStoreContracts } from './read-store.contract.js';

describe('in-memory read store', () => {
  // Wired as the container wires it: every adapter follows the store's active generation.
  readStoreContracts(async () => {
    const store = new InMemoryReadModelStore();
    await ensureActiveGeneration(store);
    return {
      writer: new InMemoryReadModelWriter(store),
      users: new InMemoryUserReadStore(store),
      articles: new InMemoryArticleReadStore(store),
      comments: new InMemoryCommentReadStore(store),
      relationships: new InMemoryRelationshipReadStore(store),
    };
  });
});
