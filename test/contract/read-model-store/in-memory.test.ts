import { describe } from 'vitest';
import { InMemoryArticleReadStore } from '../../../src/adapters/memory/in-memory-article-read-store.js';
import { InMemoryCommentReadStore } from '../../../src/adapters/memory/in-memory-comment-read-store.js';
import { InMemoryReadModelStore } from '../../../src/adapters/memory/in-memory-read-model.store.js';
import { InMemoryReadModelWriter } from '../../../src/adapters/memory/in-memory-read-model.writer.js';
import { InMemoryRelationshipReadStore } from '../../../src/adapters/memory/in-memory-relationship-read-store.js';
import { InMemoryUserReadStore } from '../../../src/adapters/memory/in-memory-user-read-store.js';
import { readModelStoreContract } from './read-model-store.contract.js';

describe('in-memory read-model store', () => {
  readModelStoreContract(async () => {
    const store = new InMemoryReadModelStore();
    return {
      store,
      stores: {
        writer: new InMemoryReadModelWriter(store),
        users: new InMemoryUserReadStore(store),
        articles: new InMemoryArticleReadStore(store),
        comments: new InMemoryCommentReadStore(store),
        relationships: new InMemoryRelationshipReadStore(store),
      },
    };
  });
});
