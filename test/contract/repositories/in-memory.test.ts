import { describe } from 'vitest';
import { InMemoryArticleRepository } from '../../../src/adapters/memory/in-memory-article.repository.js';
import { InMemoryCommentRepository } from '../../../src/adapters/memory/in-memory-comment.repository.js';
import { InMemoryEventOutbox } from '../../../src/adapters/memory/in-memory-event-outbox.js';
import { InMemoryFavoriteRepository } from '../../../src/adapters/memory/in-memory-favorite.repository.js';
import { InMemoryFollowRepository } from '../../../src/adapters/memory/in-memory-follow.repository.js';
import { InMemoryUserRepository } from '../../../src/adapters/memory/in-memory-user.repository.js';
import { InMemoryWriteStore } from '../../../src/adapters/memory/in-memory-write-store.js';
import { writeSideContracts } from './all.contract.js';
import type { WriteSide } from './write-side.contract.js';

/** A new store per test is the in-memory twin of an emptied database. */
const openInMemory = async (): Promise<WriteSide> => {
  const store = new InMemoryWriteStore();
  return {
    users: new InMemoryUserRepository(store),
    follows: new InMemoryFollowRepository(store),
    articles: new InMemoryArticleRepository(store),
    favorites: new InMemoryFavoriteRepository(store),
    comments: new InMemoryCommentRepository(store),
    outbox: new InMemoryEventOutbox(store),
  };
};

describe('write side in memory', () => {
  writeSideContracts(openInMemory);
});
