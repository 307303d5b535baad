import { inject, injectable } from 'inversify';
import type { ProfileLookup } from '../../application/profiles/profile-lookup.js';
import type { ProfileView } from '../../application/shared/views.js';
import { pairKey } from './in-memory-tables.js';
import { InMemoryWriteStore } from './in-memory-write-store.js';

/** The in-memory twin of SqlProfileLookup. */
@injectable()
export class InMemoryProfileLookup implements ProfileLookup {
  constructor(@inject(InMemoryWriteStore) private readonly store: InMemoryWriteStore) {}

  async profileOf(userId: string, viewerId: string | undefined): Promise<ProfileView | null> {
    const user = this.store.users.get(userId);
    if (user === null) return null;
    const follow = viewerId === undefined ? null : this.store.follows.get(pairKey(viewerId, userId));
    return { username: user.username, bio: user.bio, image: user.image, following: follow?.active ?? false };
  }
}
