import { createHash, timingSafeEqual } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import type { PasswordHasher } from '../../../src/application/users/password-hasher.js';
import type { AppConfig } from '../../../src/config/config.js';
import { startTestApp, type TestApp } from '../../support/app.js';

/**
 * A deterministic, fast stand-in for argon2 (tests register dozens of users). It keeps
 * the port's contract: a wrong password or a malformed hash is `false`, never a throw.
 */
export class FastTestHasher implements PasswordHasher {
  async hash(plain: string): Promise<string> {
    return `test$${digest(plain)}`;
  }

  async verify(hash: string, plain: string): Promise<boolean> {
    if (!hash.startsWith('test$')) return false;
    const expected = Buffer.from(hash.slice(5));
    const actual = Buffer.from(digest(plain));
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }
}

const digest = (plain: string): string => createHash('sha256').update(plain).digest('hex');

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface Registered {
  readonly username: string;
  readonly email: string;
  readonly password: string;
  readonly token: string;
}

/** The whole application on in-memory adapters, and a small client speaking the API. */
export class ApiClient {
  private counter = 0;

  private constructor(readonly test: TestApp) {}

  static async start(config: Partial<AppConfig> = {}): Promise<ApiClient> {
    return new ApiClient(await startTestApp(config, { passwordHasher: new FastTestHasher() }));
  }

  close(): Promise<void> {
    return this.test.close();
  }

  request(
    method: Method,
    url: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<LightMyRequestResponse> {
    return this.test.app.inject({
      method,
      url: `/api${url}`,
      headers: { ...options.headers, ...(options.token && { authorization: `Token ${options.token}` }) },
      ...(options.body !== undefined && { payload: options.body as object }),
    });
  }

  /** A fresh user with a unique name; the token is the one registration returned. */
  async register(name = 'user'): Promise<Registered> {
    this.counter += 1;
    const username = `${name}${this.counter}`;
    const user = { username, email: `${username}@example.com`, password: 'password123' };
    const res = await this.request('POST', '/users', { body: { user } });
    if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`);
    return { ...user, token: res.json().user.token };
  }

  async createArticle(
    author: Registered,
    article: { title?: string; description?: string; body?: string; tagList?: string[] } = {},
  ): Promise<{ slug: string; [key: string]: unknown }> {
    this.counter += 1;
    const res = await this.request('POST', '/articles', {
      token: author.token,
      body: {
        article: { title: `Article ${this.counter}`, description: 'About it', body: 'The text', ...article },
      },
    });
    if (res.statusCode !== 201) throw new Error(`create article failed: ${res.statusCode} ${res.body}`);
    return res.json().article;
  }

  async addComment(author: Registered, slug: string, body = 'Nice one'): Promise<{ id: number }> {
    const res = await this.request('POST', `/articles/${slug}/comments`, { token: author.token, body: { comment: { body } } });
    if (res.statusCode !== 200) throw new Error(`add comment failed: ${res.statusCode} ${res.body}`);
    return res.json().comment;
  }
}
