import { KeyvRedisCache } from '../../../src/adapters/keyv/keyv-redis-cache.js';
import type { RedisLink } from '../../../src/adapters/redis/redis-link.js';
import { deleteNamespace, openTestLink, uniquePrefix } from '../../adapters/redis/redis-test-support.js';
import { cacheContract } from './cache.contract.js';

const run = uniquePrefix('cache-redis');
/** Each cache gets a link of its own, as each process would. */
const links: RedisLink[] = [];

cacheContract('redis', {
  shared: true,
  open: async (space, options) => {
    const link = await openTestLink();
    links.push(link);
    return new KeyvRedisCache({ link, prefix: `${run}-${space}`, ...options });
  },
  cleanUp: async (space) => {
    const link = await openTestLink();
    try {
      await deleteNamespace(link, `${run}-${space}`);
    } finally {
      await link.close();
    }
  },
  close: async () => {
    for (const link of links.splice(0)) await link.close();
  },
});
