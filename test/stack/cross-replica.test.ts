import { describe, expect, it } from 'vitest';
import { Api, expectStatus, register, type Answer, type Article, type Comment, type Profile, type User } from './support/api.js';
import { runId, stackFromEnv } from './support/endpoints.js';

/**
 * Every write goes through replica A (its own port); the read that follows, at once,
 * goes through replica B (its own port) and through nginx, and must show the write: no
 * replica may answer from a stale read model or cache. Three writers run side by side,
 * each with its own users, so the replicas serve interleaved traffic.
 */
const stack = stackFromEnv();

const SCENARIOS = 3;
const ROUNDS = 6;
const MIN_PAIRS = 200;

describe.skipIf(stack === undefined)('writes through one replica, reads through the other and nginx', () => {
  it(`reads every write fresh (${MIN_PAIRS}+ write/read pairs)`, { timeout: 900_000 }, async () => {
    const [first, second] = stack?.replicas ?? [];
    const writer = new Api(first?.api ?? '', `replica ${first?.name}`);
    const readers = [new Api(second?.api ?? '', `replica ${second?.name}`), new Api(stack?.api ?? '', 'nginx')];
    const id = runId();
    const counts = await Promise.all(
      Array.from({ length: SCENARIOS }, (_, i) => new Scenario(writer, readers, `x${id}${i}`).run(ROUNDS)),
    );
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(MIN_PAIRS);
  });
});

/** One author and two readers, writing through A and reading through B and nginx. */
class Scenario {
  private pairs = 0;
  private author!: User;
  private reader1!: User;
  private reader2!: User;
  private slug = '';
  private renames = 0;

  constructor(
    private readonly writer: Api,
    private readonly readers: readonly Api[],
    private readonly prefix: string,
  ) {}

  /** A write through A, then `check` through every reader (given what the write answered); counts one pair. */
  private async pair<T>(
    what: string,
    write: () => Promise<Answer<T>>,
    status: number,
    check: (api: Api, written: T) => Promise<void>,
  ): Promise<T> {
    const answer = await write();
    expectStatus(answer, status, `${what} through ${this.writer.label}`);
    for (const reader of this.readers) await check(reader, answer.body);
    this.pairs++;
    return answer.body;
  }

  private write<T>(method: string, path: string, user: User | undefined, body?: unknown): Promise<Answer<T>> {
    return this.writer.request<T>(method, path, { token: user?.token, body });
  }

  async run(rounds: number): Promise<number> {
    this.author = await register(this.writer, `${this.prefix}a`);
    this.reader1 = await register(this.writer, `${this.prefix}r`);
    this.reader2 = await register(this.writer, `${this.prefix}s`);
    await this.createArticle();
    for (let round = 0; round < rounds; round++) await this.round(round);
    return this.pairs;
  }

  private async createArticle(): Promise<void> {
    const created = await this.pair<{ article: Article }>(
      'create an article',
      () => this.write('POST', '/articles', this.author, { article: article(this.prefix, 0) }),
      201,
      async (api, written) => {
        const { body } = await this.article(api, written.article.slug);
        expect(body.article.author.username, api.label).toBe(this.author.username);
      },
    );
    this.slug = created.article.slug;
    // The author's own comment, whose author name must follow every rename.
    await this.pair(
      "the author's comment",
      () => this.write('POST', `/articles/${this.slug}/comments`, this.author, { comment: { body: 'by the author' } }),
      200,
      async (api) => {
        const comments = await this.comments(api);
        expect(comments.map((c) => c.author.username), api.label).toContain(this.author.username);
      },
    );
  }

  private async round(round: number): Promise<void> {
    await this.renameAuthor(round);
    await this.follow(true);
    await this.favorite(this.reader1, true, [true, false], 1);
    await this.favorite(this.reader2, true, [true, true], 2);
    await this.favorite(this.reader1, false, [false, true], 1);
    await this.favorite(this.reader2, false, [false, false], 0);
    await this.follow(false);
    await this.editArticle(round);
    const commentId = await this.addComment(round);
    await this.renameReader(round, commentId);
    await this.deleteComment(commentId);
    await this.createAndDeleteArticle(round);
  }

  private async renameAuthor(round: number): Promise<void> {
    const old = this.author.username;
    const username = `${this.prefix}a${++this.renames}`;
    const bio = `bio ${round} of ${username}`;
    await this.pair(
      `rename ${old} to ${username}`,
      () => this.write('PUT', '/user', this.author, { user: { username, bio } }),
      200,
      async (api) => {
        const profile = await api.get<{ profile: Profile }>(`/profiles/${username}`);
        expectStatus(profile, 200, `${api.label}: the renamed profile`);
        expect(profile.body.profile, api.label).toMatchObject({ username, bio });
        expectStatus(await api.get(`/profiles/${old}`), 404, `${api.label}: the old name`);
        const me = await api.get<{ user: { username: string; bio: string } }>('/user', this.author.token);
        expect(me.body.user, api.label).toMatchObject({ username, bio });
        const { body } = await this.article(api, this.slug);
        expect(body.article.author.username, `${api.label}: the article's author`).toBe(username);
        const comments = await this.comments(api);
        expect(comments.filter((c) => c.body === 'by the author').map((c) => c.author.username), api.label).toEqual([username]);
      },
    );
    this.author = { ...this.author, username };
  }

  private async follow(on: boolean): Promise<void> {
    const name = this.author.username;
    await this.pair(
      `${this.reader1.username} ${on ? 'follows' : 'unfollows'} ${name}`,
      () => this.write(on ? 'POST' : 'DELETE', `/profiles/${name}/follow`, this.reader1),
      200,
      async (api) => {
        const mine = await api.get<{ profile: Profile }>(`/profiles/${name}`, this.reader1.token);
        expect(mine.body.profile.following, `${api.label}: the follower's view of the profile`).toBe(on);
        const theirs = await api.get<{ profile: Profile }>(`/profiles/${name}`, this.reader2.token);
        expect(theirs.body.profile.following, `${api.label}: someone else's view`).toBe(false);
        const { body } = await this.article(api, this.slug, this.reader1);
        expect(body.article.author.following, `${api.label}: the article's author`).toBe(on);
        const feed = await api.get<{ articles: Article[] }>('/articles/feed?limit=50', this.reader1.token);
        expect(feed.body.articles.some((a) => a.slug === this.slug), `${api.label}: the feed`).toBe(on);
      },
    );
  }

  /** `user` (un)favourites; `expected` is [reader1's favorited, reader2's favorited]. */
  private async favorite(user: User, on: boolean, expected: [boolean, boolean], count: number): Promise<void> {
    await this.pair(
      `${user.username} ${on ? 'favourites' : 'unfavourites'}`,
      () => this.write(on ? 'POST' : 'DELETE', `/articles/${this.slug}/favorite`, user),
      200,
      async (api) => {
        for (const [reader, favorited] of [
          [this.reader1, expected[0]],
          [this.reader2, expected[1]],
          [undefined, false],
        ] as const) {
          const { body } = await this.article(api, this.slug, reader);
          const who = `${api.label}, seen by ${reader?.username ?? 'nobody'}`;
          expect({ favorited: body.article.favorited, favoritesCount: body.article.favoritesCount }, who).toEqual({
            favorited,
            favoritesCount: count,
          });
        }
        const listed = await api.get<{ articles: Article[] }>(`/articles?favorited=${user.username}`, user.token);
        expect(listed.body.articles.map((a) => a.slug), `${api.label}: favourited by ${user.username}`).toEqual(on ? [this.slug] : []);
      },
    );
  }

  private async editArticle(round: number): Promise<void> {
    const old = this.slug;
    const edit = { title: `${this.prefix} title ${round + 1}`, body: `body ${round + 1}`, description: `about ${round + 1}` };
    const answer = await this.pair<{ article: Article }>(
      `edit ${old}`,
      () => this.write('PUT', `/articles/${old}`, this.author, { article: edit }),
      200,
      async (api, written) => {
        const current = await this.newestSlug(api);
        expect(current, `${api.label}: the edited article's slug`).toBe(written.article.slug);
        const { body } = await this.article(api, current);
        expect(body.article, api.label).toMatchObject(edit);
        if (current !== old) expectStatus(await api.get(`/articles/${old}`), 404, `${api.label}: the old slug`);
      },
    );
    this.slug = answer.article.slug;
  }

  /** The slug the author's only standing article has now, as `api` lists it. */
  private async newestSlug(api: Api): Promise<string> {
    const list = await api.get<{ articles: Article[] }>(`/articles?author=${this.author.username}`);
    expect(list.body.articles.length, `${api.label}: the author's articles`).toBe(1);
    return list.body.articles[0]?.slug ?? '';
  }

  private async addComment(round: number): Promise<number> {
    const text = `comment ${round} by ${this.reader1.username}`;
    const answer = await this.pair<{ comment: Comment }>(
      'add a comment',
      () => this.write('POST', `/articles/${this.slug}/comments`, this.reader1, { comment: { body: text } }),
      200,
      async (api, written) => {
        const comment = (await this.comments(api)).find((c) => c.id === written.comment.id);
        expect(comment, `${api.label}: the new comment`).toMatchObject({ body: text, author: { username: this.reader1.username } });
      },
    );
    return answer.comment.id;
  }

  private async renameReader(round: number, commentId: number): Promise<void> {
    const username = `${this.prefix}r${round + 1}`;
    await this.pair(
      `rename ${this.reader1.username} to ${username}`,
      () => this.write('PUT', '/user', this.reader1, { user: { username } }),
      200,
      async (api) => {
        const comment = (await this.comments(api)).find((c) => c.id === commentId);
        expect(comment?.author.username, `${api.label}: the comment's author`).toBe(username);
      },
    );
    this.reader1 = { ...this.reader1, username };
  }

  private async deleteComment(commentId: number): Promise<void> {
    await this.pair(
      'delete the comment',
      () => this.write('DELETE', `/articles/${this.slug}/comments/${commentId}`, this.reader1),
      204,
      async (api) => {
        const ids = (await this.comments(api)).map((c) => c.id);
        expect(ids, `${api.label}: comments after the deletion`).not.toContain(commentId);
      },
    );
  }

  private async createAndDeleteArticle(round: number): Promise<void> {
    const created = await this.pair<{ article: Article }>(
      'create a second article',
      () => this.write('POST', '/articles', this.author, { article: article(`${this.prefix} extra`, round) }),
      201,
      async (api) => {
        const list = await api.get<{ articles: Article[] }>(`/articles?author=${this.author.username}`);
        expect(list.body.articles.length, `${api.label}: the author's articles`).toBe(2);
      },
    );
    const slug = created.article.slug;
    await this.pair(
      `delete ${slug}`,
      () => this.write('DELETE', `/articles/${slug}`, this.author),
      204,
      async (api) => {
        expectStatus(await api.get(`/articles/${slug}`), 404, `${api.label}: the deleted article`);
        expectStatus(await api.get(`/articles/${slug}/comments`), 404, `${api.label}: its comments`);
        expect(await this.newestSlug(api), api.label).toBe(this.slug);
      },
    );
  }

  private async article(api: Api, slug: string, viewer?: User): Promise<Answer<{ article: Article }>> {
    const answer = await api.get<{ article: Article }>(`/articles/${slug}`, viewer?.token);
    expectStatus(answer, 200, `${api.label}: GET /articles/${slug}`);
    return answer;
  }

  private async comments(api: Api): Promise<Comment[]> {
    const answer = await api.get<{ comments: Comment[] }>(`/articles/${this.slug}/comments`);
    expectStatus(answer, 200, `${api.label}: GET /articles/${this.slug}/comments`);
    return answer.body.comments;
  }
}

function article(prefix: string, n: number) {
  return { title: `${prefix} title ${n}`, description: `about ${n}`, body: `body ${n}`, tagList: [`t${prefix.slice(-6)}`] };
}
