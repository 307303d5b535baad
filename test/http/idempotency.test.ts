import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnswerSeal } from '../../src/adapters/security/answer-seal.js';
import { IdempotencyStore } from '../../src/application/shared/idempotency.js';
import { TEST_JWT_SECRET } from '../support/app.js';
import { ApiClient, type Registered } from './support/client.js';

describe('Idempotency-Key on writes (whole application, in-memory adapters)', () => {
  let api: ApiClient;
  let author: Registered;
  beforeAll(async () => {
    api = await ApiClient.start({ idempotencyWaitMs: 300 });
    author = await api.register('keyed');
  });
  afterAll(async () => {
    await api?.close();
  });

  const create = (key: string, title: string, who: Registered = author) =>
    api.request('POST', '/articles', {
      token: who.token,
      headers: { 'idempotency-key': key },
      body: { article: { title, description: 'd', body: 'b', tagList: ['keyed'] } },
    });

  const articlesBy = async (who: Registered) =>
    (await api.request('GET', `/articles?author=${who.username}&limit=100`)).json().articles as { slug: string }[];

  it('runs a write once and answers its repetition with the first answer, marked as replayed', async () => {
    const first = await create('create-once', 'Written once');
    const again = await create('create-once', 'Written once');
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['content-type']).toMatch(/^application\/json/);
    expect(again.body).toBe(first.body);
    expect((await articlesBy(author)).filter((a) => a.slug.startsWith('written-once'))).toHaveLength(1);
  });

  it('runs concurrent requests with one key once, and answers them all alike', async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, () => create('create-concurrently', 'Raced')));
    expect(answers.map((answer) => answer.statusCode)).toEqual(Array(6).fill(201));
    expect(new Set(answers.map((answer) => answer.json().article.slug)).size).toBe(1);
    expect(answers.filter((answer) => answer.headers['idempotent-replayed'] === 'true')).toHaveLength(5);
    expect((await articlesBy(author)).filter((a) => a.slug.startsWith('raced'))).toHaveLength(1);
  });

  it('refuses a key reused for a different request with 422', async () => {
    await create('reused', 'The first use');
    const other = await create('reused', 'Something else');
    expect(other.statusCode).toBe(422);
    expect(other.json()).toEqual({ errors: { 'Idempotency-Key': ['was already used for a different request'] } });
  });

  it('releases the key of a write that failed, so that the corrected request runs', async () => {
    const target = await api.createArticle(author, { title: 'To favourite' });
    const missing = await api.request('POST', '/articles/no-such-article/favorite', {
      token: author.token,
      headers: { 'idempotency-key': 'after-a-failure' },
    });
    expect(missing.statusCode).toBe(404);
    const retried = await api.request('POST', `/articles/${target.slug}/favorite`, {
      token: author.token,
      headers: { 'idempotency-key': 'after-a-failure' },
    });
    // Another path is another request: were the failed one's claim kept, this would be a 422.
    expect(retried.statusCode).toBe(200);
    expect(retried.json().article.favoritesCount).toBe(1);
  });

  it('scopes keys to the user: two users with one key write twice', async () => {
    const other = await api.register('other');
    expect((await create('per-user', 'Mine')).statusCode).toBe(201);
    const theirs = await create('per-user', 'Mine', other);
    expect(theirs.statusCode).toBe(201);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(theirs.json().article.author.username).toBe(other.username);
  });

  it('replays a deletion instead of answering 404 for the deletion it made', async () => {
    const doomed = await api.createArticle(author, { title: 'Doomed' });
    const options = { token: author.token, headers: { 'idempotency-key': 'delete-once' } };
    const first = await api.request('DELETE', `/articles/${doomed.slug}`, options);
    const again = await api.request('DELETE', `/articles/${doomed.slug}`, options);
    expect(first.statusCode).toBeLessThan(300);
    expect(again.statusCode).toBe(first.statusCode);
    expect(again.body).toBe(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it('keeps a registration answer sealed: the stored copy holds no token', async () => {
    const user = { username: 'sealed', email: 'sealed@example.com', password: 'password123' };
    const first = await api.request('POST', '/users', { headers: { 'idempotency-key': 'register-once' }, body: { user } });
    const again = await api.request('POST', '/users', { headers: { 'idempotency-key': 'register-once' }, body: { user } });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.json().user.token).toBe(first.json().user.token);
    const stored = await api.test.application.composition.container.get(IdempotencyStore).find('anonymous', 'register-once', 86_400);
    expect(stored?.answer).toEqual(expect.any(String));
    expect(stored?.answer).not.toContain(first.json().user.token);
    expect(stored?.answer).not.toContain('sealed@example.com');
    expect(stored?.fingerprint).not.toContain('password123');
  });

  it('never keeps a login (it writes nothing): each one runs', async () => {
    const login = () =>
      api.request('POST', '/users/login', {
        headers: { 'idempotency-key': 'login' },
        body: { user: { email: author.email, password: author.password } },
      });
    expect((await login()).statusCode).toBe(200);
    const second = await login();
    expect(second.statusCode).toBe(200);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
  });

  it('refuses a malformed key with 400, and ignores keys on reads', async () => {
    const long = await create('x'.repeat(256), 'Too long a key');
    expect(long.statusCode).toBe(400);
    expect(long.json()).toEqual({ errors: { 'Idempotency-Key': ['must be 1 to 255 visible ASCII characters'] } });
    const spaced = await create('has space', 'Spaced key');
    expect(spaced.statusCode).toBe(400);
    const read = await api.request('GET', '/tags', { headers: { 'idempotency-key': 'x'.repeat(300) } });
    expect(read.statusCode).toBe(200);
  });

  it('answers 409 with Retry-After when the request holding the key does not finish within the wait', async () => {
    const body = { article: { title: 'Held elsewhere', description: 'd', body: 'b', tagList: ['keyed'] } };
    // A request on another replica claimed the key and has not answered (still running, or its process died).
    const userId = JSON.parse(Buffer.from(author.token.split('.')[1] ?? '', 'base64url').toString()).sub as string;
    const fingerprint = new AnswerSeal(TEST_JWT_SECRET).fingerprint(`POST /api/articles\n${JSON.stringify(body)}`);
    const store = api.test.application.composition.container.get(IdempotencyStore);
    expect(await store.claim(userId, 'held', fingerprint, 86_400)).toEqual({ kind: 'claimed' });
    const waiting = await api.request('POST', '/articles', { token: author.token, headers: { 'idempotency-key': 'held' }, body });
    expect(waiting.statusCode).toBe(409);
    expect(waiting.headers['retry-after']).toBe('1');
    expect(waiting.json()).toEqual({ errors: { 'Idempotency-Key': ['belongs to a request whose answer is not known yet'] } });
    expect((await articlesBy(author)).filter((a) => a.slug.startsWith('held-elsewhere'))).toHaveLength(0);
    // Once the holder gives the key up (its write failed), the same request runs.
    await store.release(userId, 'held');
    const after = await api.request('POST', '/articles', { token: author.token, headers: { 'idempotency-key': 'held' }, body });
    expect(after.statusCode).toBe(201);
  });
});
