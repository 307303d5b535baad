import type { Result } from 'ts-results-es';
import type { EventOutbox } from '../../src/application/read-side/event-outbox.js';
import type { ReadStores } from '../contract/read-store/read-store.fixtures.js';
import type { ReadSideUnderTest } from './read-side-under-test.js';

const ALL = { limit: 1000, offset: 0 };

export function ok<T, E>(result: Result<T, E>): T {
  if (result.isErr()) throw new Error(`expected Ok, got ${JSON.stringify(result.error)}`);
  return result.value;
}

/** Every id, name, slug and tag the outbox has ever mentioned, deleted or renamed ones included. */
export async function everythingMentioned(outbox: EventOutbox) {
  const users = new Set<string>();
  const usernames = new Set<string>();
  const articles = new Set<string>();
  const slugs = new Set<string>();
  const tags = new Set<string>();
  const comments = new Set<number>();
  for (let position = 0; ; ) {
    const entries = await outbox.readAfter(position, 500);
    if (entries.length === 0) break;
    for (const { event } of entries) {
      const p = event.payload as Record<string, unknown>;
      for (const key of ['userId', 'followerId', 'followeeId', 'authorId'])
        if (typeof p[key] === 'string') users.add(p[key] as string);
      for (const key of ['username', 'previousUsername'])
        if (typeof p[key] === 'string') usernames.add(p[key] as string);
      if (typeof p.articleId === 'string') articles.add(p.articleId);
      for (const key of ['slug', 'previousSlug']) if (typeof p[key] === 'string') slugs.add(p[key] as string);
      for (const tag of (p.tagList as string[] | undefined) ?? []) tags.add(tag);
      if (typeof p.commentId === 'number') comments.add(p.commentId);
    }
    position = entries[entries.length - 1]!.position;
  }
  const sorted = <T>(set: Set<T>) => [...set].sort();
  return {
    users: sorted(users),
    usernames: sorted(usernames),
    articles: sorted(articles),
    slugs: sorted(slugs),
    tags: sorted(tags),
    comments: [...comments].sort((a, b) => a - b),
  };
}

/**
 * What every query port answers about everything the outbox ever mentioned: two read
 * models are equal for the API exactly when these answers are.
 */
export async function readModelAnswers(stores: ReadStores, outbox: EventOutbox): Promise<unknown> {
  const seen = await everythingMentioned(outbox);
  const answers: Record<string, unknown> = {};
  for (const id of seen.users) {
    answers[`user ${id}`] = await stores.users.findById(id);
    answers[`feed of ${id}`] = await stores.articles.feed(id, ALL);
    answers[`followed by ${id}`] = [...(await stores.relationships.followedAmong(id, seen.users))].sort();
    answers[`favourited by ${id}`] = [...(await stores.relationships.favoritedAmong(id, seen.articles))].sort();
  }
  for (const name of seen.usernames) {
    answers[`profile ${name}`] = await stores.users.findProfileByUsernameKey(name);
    answers[`articles by ${name}`] = await stores.articles.list({ authorKey: name }, ALL);
    answers[`articles favourited by ${name}`] = await stores.articles.list({ favoritedByKey: name }, ALL);
  }
  answers.articles = await stores.articles.list({}, ALL);
  answers['second page'] = await stores.articles.list({}, { limit: 2, offset: 2 });
  for (const slug of seen.slugs) answers[`article ${slug}`] = await stores.articles.findBySlug(slug);
  for (const tag of seen.tags) answers[`tagged ${tag}`] = await stores.articles.list({ tag }, ALL);
  answers.tags = await stores.articles.tags();
  for (const id of seen.articles) answers[`comments of ${id}`] = await stores.comments.listByArticle(id);
  return answers;
}

/**
 * A small but complete history through the real command handlers: registrations, renames,
 * follows and unfollows, articles with tags, edits that move slugs and tags, favourites
 * and unfavourites, comments added and deleted, articles deleted with their comments and
 * favourites. Answers the ids a test may want to act on next.
 */
export async function writeHistory(rs: ReadSideUnderTest, prefix = 'h') {
  const c = rs.commands;
  const users: string[] = [];
  for (let i = 0; i < 6; i++)
    users.push(
      ok(
        await c.registerUser.execute({
          username: `${prefix}user${i}`,
          email: `${prefix}user${i}@example.com`,
          password: 'password123',
        }),
      ).userId,
    );
  const [u0, u1, u2, u3, u4] = users as [string, string, string, string, string];
  ok(await c.updateUser.execute({ userId: u1, bio: 'I write', image: 'https://example.com/u1.png' }));
  ok(await c.updateUser.execute({ userId: u2, username: `${prefix}renamed2` }));
  for (const [follower, followee] of [
    [u0, `${prefix}user1`],
    [u0, `${prefix}renamed2`],
    [u1, `${prefix}renamed2`],
    [u3, `${prefix}user0`],
  ] as const)
    ok(await c.setFollowing.execute({ followerId: follower, username: followee, following: true }));
  ok(await c.setFollowing.execute({ followerId: u0, username: `${prefix}renamed2`, following: false }));

  const tagPool = ['dragons', 'training', 'cqrs', 'node'];
  const slugs: string[] = [];
  for (let i = 0; i < 8; i++) {
    const created = await c.createArticle.execute({
      authorId: users[i % 3] as string,
      title: `${prefix} article ${i}`,
      description: `About ${i}`,
      body: `Body ${i}`,
      tagList: [tagPool[i % 4] as string, tagPool[(i + 1) % 4] as string],
    });
    slugs.push(ok(created).slug);
  }
  const edited = ok(
    await c.updateArticle.execute({ actorId: u0, slug: slugs[0] as string, title: `${prefix} retitled`, tagList: ['fresh'] }),
  );
  slugs[0] = edited.slug;
  ok(await c.updateArticle.execute({ actorId: u0, slug: slugs[3] as string, body: 'New body' }));

  for (const [user, slug] of [
    [u3, slugs[0]],
    [u3, slugs[1]],
    [u4, slugs[0]],
    [u4, slugs[2]],
  ] as const)
    ok(await c.setFavorite.execute({ userId: user, slug: slug as string, favorited: true }));
  ok(await c.setFavorite.execute({ userId: u3, slug: slugs[1] as string, favorited: false }));

  const kept = ok(await c.addComment.execute({ authorId: u3, slug: slugs[0] as string, body: 'First!' })).id;
  const removed = ok(await c.addComment.execute({ authorId: u3, slug: slugs[0] as string, body: 'Oops' })).id;
  ok(await c.addComment.execute({ authorId: u4, slug: slugs[1] as string, body: 'Nice' }));
  ok(await c.addComment.execute({ authorId: u4, slug: slugs[2] as string, body: 'Doomed' }));
  ok(await c.deleteComment.execute({ actorId: u3, slug: slugs[0] as string, commentId: removed }));
  ok(await c.deleteArticle.execute({ actorId: users[2] as string, slug: slugs[2] as string }));

  return { users, slugs, keptComment: kept };
}
