import { randomBytes, randomUUID } from 'node:crypto';
import { injectable } from 'inversify';
import type { IdGenerator } from '../../application/shared/ports.js';

@injectable()
export class CryptoIdGenerator implements IdGenerator {
  newId(): string {
    return randomUUID();
  }

  /** 6 base-36 characters: ~2 billion values, plenty to make one title's slug unique. */
  newSuffix(): string {
    const n = randomBytes(5).readUIntBE(0, 5);
    return n.toString(36).padStart(6, '0').slice(-6);
  }
}
