import { InMemoryIdempotency } from '../../../src/adapters/memory/in-memory-idempotency.js';
import { idempotencyContract } from './idempotency.contract.js';

idempotencyContract('memory', async () => new InMemoryIdempotency());
