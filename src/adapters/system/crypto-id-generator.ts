import { randomBytes } from 'node:crypto';
import { injectable } from 'inversify';
import { v7 as uuidv7 } from 'uuid';
import type { IdGenerator } from '../../application/shared/ports.js';

@injectable()
export class CryptoIdGenerator implements IdGenerator {
  /**
   * UUIDv7: time-ordered and monotonic within the process, so rows created in the same
   * millisecond still list newest first (lists order by createdAt, then id), and new rows
   * land at the end of primary-key indexes instead of at random pages.
   */
  newId(): string {
    return uuidv7();
  }

  /** 6 base-36 characters (~2 billion values): enough to make one title's slug unique. */
  newSuffix(): string {
    const n = randomBytes(5).readUIntBE(0, 5);
    return n.toString(36).padStart(6, '0').slice(-6);
  }
}
