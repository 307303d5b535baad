import { AsyncLocalStorage } from 'node:async_hooks';
import { injectable } from 'inversify';
import type { OutboxEntry } from '../../application/read-side/event-outbox.js';
import type { CommitListener, CommitScope } from '../../application/shared/commit-scope.js';

/**
 * Collects what each use case commits, through the async context it runs in: a
 * repository's report of a commit lands in the scope of the use case that caused it, and
 * concurrent use cases never see each other's. Commits made outside any scope (the seed
 * CLI, a rebuild) are not collected by anyone.
 */
@injectable()
export class AsyncCommitScope implements CommitScope, CommitListener {
  private readonly context = new AsyncLocalStorage<OutboxEntry[]>();

  async track<T>(work: () => Promise<T>): Promise<{ readonly result: T; readonly committed: readonly OutboxEntry[] }> {
    const committed: OutboxEntry[] = [];
    const result = await this.context.run(committed, work);
    return { result, committed };
  }

  committed(entries: readonly OutboxEntry[]): void {
    this.context.getStore()?.push(...entries);
  }
}
