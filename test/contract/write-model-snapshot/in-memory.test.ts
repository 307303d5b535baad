import { describe } from 'vitest';
import { InMemoryArticleRepository } from '../../../src/adapters/memory/in-memory-article.repository.js';
import { InMemoryCommentRepository } from '../../../src/adapters/memory/in-memory-comment.repository.js';
import { InMemoryEventOutbox } from '../../../src/adapters/memory/in-memory-event-outbox.js';
import { InMemoryFavoriteRepository } from '../../../src/adapters/memory/in-memory-favorite.repository.js';
import { InMemoryFollowRepository } from '../../../src/adapters/memory/in-memory-follow.repository.js';
import { InMemoryUserRepository } from '../../../src/adapters/memory/in-memory-user.repository.js';
import { InMemoryWriteModelSnapshot } from '../../../src/adapters/memory/in-memory-write-model-snapshot.js';
import { InMemoryWriteStore } from '../../../src/adapters/memory/in-memory-write-store.js';
import { writeModelSnapshotContract } from './write-model-snapshot.contract.js';

describe('in-memory write-model snapshot', () => {
  writeModelSnapshotContract(async () => {
    const store = new InMemoryWriteStore();
    return {
      snapshot: new InMemoryWriteModelSnapshot(store),
      write: {
        users: new InMemoryUserRepository(store),
        follows: new InMemoryFollowRepository(store),
        articles: new InMemoryArticleRepository(store),
        favorites: new InMemoryFavoriteRepository(store),
        comments: new InMemoryCommentRepository(store),
        outbox: new InMemoryEventOutbox(store),
      },
    };
  });
});
