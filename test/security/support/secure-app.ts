import { Writable } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import type { AppConfig } from '../../../src/config/config.js';
import type { Overrides } from '../../../src/container.js';
import { FastTestHasher } from '../../http/support/client.js';
import { startTestApp, type TestApp } from '../../support/app.js';

export interface User {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly password: string;
  token: string;
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * The whole application (TEST_STACK adapters) with every log line it writes kept, parsed,
 * in `logs`, and the raw text in `rawLogs`: for the audit and redaction tests.
 */
export class SecureApp {
  readonly logs: Record<string, unknown>[] = [];
  rawLogs = '';
  private counter = 0;
  private test!: TestApp;

  static async start(config: Partial<AppConfig> = {}, overrides: Overrides = {}): Promise<SecureApp> {
    const app = new SecureApp();
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        const text = chunk.toString('utf8');
        app.rawLogs += text;
        for (const line of text.split('\n').filter((l) => l.trim() !== '')) app.logs.push(JSON.parse(line));
        done();
      },
    });
    app.test = await startTestApp(config, { passwordHasher: new FastTestHasher(), logger: pino({ level: 'info' }, sink), ...overrides });
    return app;
  }

  get http(): TestApp['app'] {
    return this.test.app;
  }

  get useCases(): TestApp['application']['useCases'] {
    return this.test.application.useCases;
  }

  close(): Promise<void> {
    return this.test.close();
  }

  request(method: Method, url: string, options: { token?: string; body?: unknown; scheme?: string } = {}): Promise<LightMyRequestResponse> {
    return this.http.inject({
      method,
      url: `/api${url}`,
      headers: options.token ? { authorization: `${options.scheme ?? 'Token'} ${options.token}` } : {},
      ...(options.body !== undefined && { payload: options.body as object }),
    });
  }

  async register(name = 'user'): Promise<User> {
    this.counter += 1;
    const username = `${name}${this.counter}`;
    const user = { username, email: `${username}@example.com`, password: 'password123' };
    const res = await this.request('POST', '/users', { body: { user } });
    if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`);
    const token: string = res.json().user.token;
    const id = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()).sub as string;
    return { ...user, id, token };
  }

  /** What `npm run users -- grant admin NAME` does. */
  async grantAdmin(user: User): Promise<void> {
    (await this.useCases.changeRole.execute({ username: user.username, role: 'admin', by: { kind: 'operator' } })).unwrap();
  }

  async article(author: User): Promise<string> {
    this.counter += 1;
    const res = await this.request('POST', '/articles', {
      token: author.token,
      body: { article: { title: `Article ${this.counter}`, description: 'About it', body: 'The text', tagList: ['t'] } },
    });
    if (res.statusCode !== 201) throw new Error(`create article failed: ${res.statusCode} ${res.body}`);
    return res.json().article.slug;
  }

  async comment(author: User, slug: string): Promise<number> {
    const res = await this.request('POST', `/articles/${slug}/comments`, { token: author.token, body: { comment: { body: 'Nice' } } });
    if (res.statusCode !== 200) throw new Error(`comment failed: ${res.statusCode} ${res.body}`);
    return res.json().comment.id;
  }

  auditLines(): Record<string, unknown>[] {
    return this.logs.filter((line) => line.audit === true);
  }
}
