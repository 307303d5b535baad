import { ContainerModule } from 'inversify';
import { CommitListener, CommitScope } from '../../application/shared/commit-scope.js';
import { Clock, IdGenerator } from '../../application/shared/ports.js';
import { AsyncCommitScope } from './async-commit-scope.js';
import { CryptoIdGenerator } from './crypto-id-generator.js';
import { SystemClock } from './system-clock.js';

/** Time, identifiers, and the per-use-case record of what it committed (for read-your-writes). */
export const systemModule = (): ContainerModule =>
  new ContainerModule(({ bind }) => {
    bind(Clock).to(SystemClock);
    bind(IdGenerator).to(CryptoIdGenerator);
    bind(AsyncCommitScope).toSelf();
    bind(CommitScope).toService(AsyncCommitScope);
    bind(CommitListener).toService(AsyncCommitScope);
  });
