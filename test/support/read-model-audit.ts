import type { Container } from 'inversify';
import { ArticleReadStore } from '../../src/application/read-side/article.read-store.js';
import { CommentReadStore } from '../../src/application/read-side/comment.read-store.js';
import { RelationshipReadStore } from '../../src/application/read-side/relationship.read-store.js';
import { UserReadStore } from '../../src/application/read-side/user.read-store.js';
import type { SqlExecutor } from '../../src/adapters/sql/sql-database.js';

/**
 * Compares the read models, through the read-store ports, with the SQL write model row
 * for row: every user, article (with its exact favoritesCount and author), comment, follow
 * and favourite, and the tag counts; and the write model's own maintained count against a
 * count of its favourites. Answers the list of differences (empty = identical).
 */
export async function auditReadModels(db: SqlExecutor, container: Container): Promise<string[]> {
  const sql = <T>(text: string, params: unknown[] = []): Promise<T[]> => db.query<T>(text, params);
  const users = container.get<UserReadStore>(UserReadStore);
  const articles = container.get<ArticleReadStore>(ArticleReadStore);
  const comments = container.get<CommentReadStore>(CommentReadStore);
  const relationships = container.get<RelationshipReadStore>(RelationshipReadStore);
  const problems: string[] = [];
  const differ = (what: string, expected: unknown, actual: unknown) => {
    if (JSON.stringify(expected) !== JSON.stringify(actual))
      problems.push(`${what}: expected ${JSON.stringify(expected)}, read model has ${JSON.stringify(actual)}`);
  };

  const userRows = await sql<{ id: string; username: string; email: string; bio: string | null; image: string | null }>(
    `select id::text, username, email, bio, image from users order by id`,
  );
  const byId = new Map(userRows.map((u) => [u.id, u]));
  for (const u of userRows) {
    const stored = await users.findById(u.id);
    differ(`user ${u.id}`, { username: u.username, email: u.email, bio: u.bio, image: u.image }, stored && {
      username: stored.username,
      email: stored.email,
      bio: stored.bio,
      image: stored.image,
    });
    const followees = await sql<{ followee_id: string }>(
      `select followee_id::text from follows where follower_id = $1 and active order by 1`,
      [u.id],
    );
    const followed = await relationships.followedAmong(u.id, userRows.map((x) => x.id));
    differ(`follows of ${u.username}`, followees.map((f) => f.followee_id), [...followed].sort());
  }

  const articleRows = await sql<{
    id: string;
    slug: string;
    title: string;
    description: string;
    body: string;
    tag_list: string[];
    author_id: string;
    favorites: string;
    maintained: number;
  }>(
    `select a.id::text, a.slug, a.title, a.description, a.body, a.tag_list, a.author_id::text,
            (select count(*) from favorites f where f.article_id = a.id and f.active)::text as favorites,
            (select coalesce(sum(c.n), 0) from article_favorite_counts c where c.article_id = a.id)::integer as maintained
       from articles a order by a.id`,
  );
  const listed = await articles.list({}, { limit: 1_000_000, offset: 0 });
  differ('article count', articleRows.length, listed.total);
  const tagCounts = new Map<string, number>();
  for (const a of articleRows) {
    for (const tag of a.tag_list) tagCounts.set(tag, (tagCounts.get(tag) ?? 0) + 1);
    differ(`write-model favourites count of ${a.slug}`, Number(a.favorites), Number(a.maintained));
    const stored = await articles.findBySlug(a.slug);
    const author = byId.get(a.author_id);
    differ(`article ${a.slug}`, {
      id: a.id,
      title: a.title,
      description: a.description,
      body: a.body,
      tagList: a.tag_list,
      favoritesCount: Number(a.favorites),
      author: { username: author?.username, bio: author?.bio, image: author?.image },
    }, stored && {
      id: stored.id,
      title: stored.title,
      description: stored.description,
      body: stored.body,
      tagList: stored.tagList,
      favoritesCount: stored.favoritesCount,
      author: { username: stored.author.username, bio: stored.author.bio, image: stored.author.image },
    });
    const commentRows = await sql<{ id: string; body: string; author_id: string }>(
      `select c.id::text as id, c.body, c.author_id::text as author_id from comments c where c.article_id = $1 order by c.id`,
      [a.id],
    );
    const storedComments = await comments.listByArticle(a.id);
    differ(
      `comments of ${a.slug}`,
      commentRows.map((c) => ({ id: Number(c.id), body: c.body, author: byId.get(c.author_id)?.username })),
      [...storedComments].sort((x, y) => x.id - y.id).map((c) => ({ id: c.id, body: c.body, author: c.author.username })),
    );
  }
  for (const u of userRows) {
    const favoriteRows = await sql<{ article_id: string }>(
      `select article_id::text from favorites where user_id = $1 and active order by 1`,
      [u.id],
    );
    const favorited = await relationships.favoritedAmong(u.id, articleRows.map((a) => a.id));
    differ(`favourites of ${u.username}`, favoriteRows.map((f) => f.article_id), [...favorited].sort());
  }
  const expectedTags = [...tagCounts.keys()].sort();
  differ('tags', expectedTags, [...(await articles.tags())].sort());
  return problems;
}
