import type { Collection, Filter } from 'mongodb';
import type { ReadModelChange } from '../../application/read-side/read-model-changes.js';
import { embeddedAuthorChanged, NotProjectedYet } from '../../application/read-side/read-model-rules.js';
import { Username } from '../../domain/index.js';
import { asText, eqText } from './filter-values.js';
import { asNullableText, asVersion, isDuplicateKey, key, MAX_ATTEMPTS } from './mongo-guarded-writes.js';
import type { GenerationCollections } from './mongo-read-database.js';
import type { EmbeddedAuthor, UserDocument } from './read-model.documents.js';

type UserChange = Extract<ReadModelChange, { kind: 'user' }>;

export const AUTHOR_FIELDS = { _id: 1, username: 1, bio: 1, image: 1, version: 1 } as const;
export type AuthorFields = Pick<UserDocument, '_id' | 'username' | 'bio' | 'image' | 'version'>;

export const embedded = (user: Pick<UserDocument, '_id' | 'username' | 'bio' | 'image'>): EmbeddedAuthor => ({
  id: user._id,
  username: user.username,
  bio: user.bio ?? null,
  image: user.image ?? null,
});

/**
 * UserRegistered / UserUpdated: the user in the given version if newer than the stored
 * one; users hold no counts.
 *
 * Embedded copies: every copy in an article or comment records the user version it was
 * taken from (`authorVersion`), and both sides only ever replace a copy with a newer one.
 * A change of the public fields writes the user, then rewrites the copies in bulk (one
 * updateMany per collection); a new article or comment writes its copy, then reads the
 * user again and refreshes the copy if the user moved on. Either the re-read sees the
 * change, or the copy was written before the bulk rewrite and is rewritten by it.
 */
export async function projectUser(c: GenerationCollections, change: UserChange): Promise<void> {
  const { user } = change;
  const id = key(user.userId);
  const fields = {
    username: asText(user.username),
    usernameKey: Username.keyOf(asText(user.username)),
    email: asText(user.email),
    bio: asNullableText(user.bio),
    image: asNullableText(user.image),
    version: asVersion(change.version),
  };
  const replaced = await writeUser(c, id, fields);
  // Nothing to rewrite: the change was older than the stored user, or the user is new (a
  // user that was not stored has no copies: content needs its author stored first), or
  // only the e-mail changed (copies hold the public fields only).
  if (replaced === 'older' || replaced === null) return;
  if (replaced !== 'same' && !embeddedAuthorChanged(replaced, fields)) return;
  // Rewritten also for a repeat ('same'): the writer that applied it may have died before.
  await rewriteCopies(c, { _id: id, ...fields });
}

/**
 * Writes the user if `fields.version` is newer than the stored one. Answers the version
 * this write replaced (exactly the copies that may be stale), null when there was none,
 * 'same' when this version was applied before, and 'older' when a newer one is stored.
 */
async function writeUser(
  c: GenerationCollections,
  id: string,
  fields: Omit<UserDocument, '_id'>,
): Promise<AuthorFields | null | 'same' | 'older'> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await c.users.findOneAndUpdate(
        { _id: id, version: { $lt: fields.version } },
        { $set: fields },
        { upsert: true, returnDocument: 'before', projection: AUTHOR_FIELDS },
      );
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const [stored, holder] = await Promise.all([
        c.users.findOne({ _id: id }, { projection: { version: 1 } }),
        c.users.findOne({ usernameKey: eqText(fields.usernameKey), _id: { $ne: id } }, { projection: { _id: 1 } }),
      ]);
      // Another user still holds the name: its own rename is not projected yet.
      if (holder)
        throw new NotProjectedYet(
          `mongo read model: username key "${fields.usernameKey}" still belongs to user ${holder._id}`,
        );
      if (stored && stored.version > fields.version) return 'older';
      if (stored && stored.version === fields.version) return 'same';
      if (attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

/** Rewrites every embedded copy of the user older than `user.version`: one updateMany per collection. */
async function rewriteCopies(c: GenerationCollections, user: AuthorFields): Promise<void> {
  const stale = { 'author.id': eqText(user._id), authorVersion: { $lt: user.version } };
  const update = { $set: { author: embedded(user), authorVersion: user.version } };
  await Promise.all([c.articles.updateMany(stale, update), c.comments.updateMany(stale, update)]);
}

/** Refreshes one document's copy of its author if `author` is newer than the copy. */
export async function refreshCopy<T extends { author: EmbeddedAuthor; authorVersion: number }>(
  collection: Collection<T>,
  id: T extends { _id: infer I } ? I : never,
  author: AuthorFields,
): Promise<void> {
  await collection.updateOne(
    { _id: id, authorVersion: { $lt: author.version } } as Filter<T>,
    { $set: { author: embedded(author), authorVersion: author.version } } as never,
  );
}
