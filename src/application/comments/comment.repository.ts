import type { Result } from 'ts-results-es';
import type { Comment } from '../../domain/index.js';
import type { SaveConflict } from '../shared/persistence.js';

export interface CommentRepository {
  /** The next comment id (comment ids are integers in the API). */
  nextId(): Promise<number>;
  findById(id: number): Promise<Comment | null>;
  /** Inserts a new comment or deletes a deleted one, with its events, in one transaction. */
  save(comment: Comment): Promise<Result<void, SaveConflict>>;
}
export const CommentRepository = Symbol.for('CommentRepository');
