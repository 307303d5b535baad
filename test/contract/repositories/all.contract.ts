import { articleRepositoryContract } from './article.repository.contract.js';
import { commentRepositoryContract } from './comment.repository.contract.js';
import { eventOutboxContract } from './event-outbox.contract.js';
import { favoriteRepositoryContract } from './favorite.repository.contract.js';
import { followRepositoryContract } from './follow.repository.contract.js';
import { userRepositoryContract } from './user.repository.contract.js';
import type { OpenWriteSide } from './write-side.contract.js';

/** Every write-side port's suite, against one adapter family. */
export function writeSideContracts(open: OpenWriteSide): void {
  userRepositoryContract(open);
  followRepositoryContract(open);
  articleRepositoryContract(open);
  favoriteRepositoryContract(open);
  commentRepositoryContract(open);
  eventOutboxContract(open);
}
