import { inject, injectable } from 'inversify';
import type { ProfileLookup } from '../../../application/profiles/profile-lookup.js';
import type { ProfileView } from '../../../application/shared/views.js';
import { SqlDatabase } from '../sql-database.js';
import { isUuid } from './records/keys.js';

/** A profile from `users` with the viewer's follow from `follows`, in one statement. */
@injectable()
export class SqlProfileLookup implements ProfileLookup {
  constructor(@inject(SqlDatabase) private readonly db: SqlDatabase) {}

  async profileOf(userId: string, viewerId: string | undefined): Promise<ProfileView | null> {
    if (!isUuid(userId)) return null;
    const viewer = viewerId !== undefined && isUuid(viewerId) ? viewerId : null;
    const [row] = await this.db.query<ProfileView>(
      `select u.username, u.bio, u.image,
              exists (select 1 from follows f
                       where f.follower_id = $2::uuid and f.followee_id = u.id and f.active) as following
         from users u where u.id = $1`,
      [userId, viewer],
    );
    return row ?? null;
  }
}
