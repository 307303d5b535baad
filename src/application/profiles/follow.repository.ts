import type { Result } from 'ts-results-es';
import type { Follow } from '../../domain/index.js';
import type { SaveConflict } from '../shared/persistence.js';

export interface FollowRepository {
  /** The stored pair, active or not; null when the pair was never followed. */
  find(followerId: string, followeeId: string): Promise<Follow | null>;
  save(follow: Follow): Promise<Result<void, SaveConflict>>;
}
export const FollowRepository = Symbol.for('FollowRepository');
