/** The RealWorld shapes the checks read (only the fields they compare). */
export interface Profile {
  readonly username: string;
  readonly bio: string | null;
  readonly following: boolean;
}

export interface Article {
  readonly slug: string;
  readonly title: string;
  readonly description: string;
  readonly body: string;
  readonly favorited: boolean;
  readonly favoritesCount: number;
  readonly author: Profile;
}

export interface Comment {
  readonly id: number;
  readonly body: string;
  readonly author: Profile;
}

/** An answer of the API: status, parsed JSON body (undefined when empty), headers. */
export interface Answer<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export interface RequestOptions {
  readonly token?: string | undefined;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** A minimal client for one base URL (`…/api` of a replica or of nginx). */
export class Api {
  constructor(
    readonly base: string,
    readonly label: string,
  ) {}

  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.authorization = `Token ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = text;
    }
    return { status: response.status, body: body as T, headers: response.headers };
  }

  get = <T = unknown>(path: string, token?: string) => this.request<T>('GET', path, { token });
}

export interface User {
  readonly username: string;
  readonly email: string;
  readonly token: string;
}

/** Registers a user; throws with the answer when the API refuses. */
export async function register(api: Api, username: string): Promise<User> {
  const email = `${username}@stack.test`;
  const answer = await api.request<{ user: { token: string } }>('POST', '/users', {
    body: { user: { username, email, password: 'password123' } },
  });
  if (answer.status !== 201 && answer.status !== 200)
    throw new Error(`registering ${username} on ${api.label}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return { username, email, token: answer.body.user.token };
}

/** Fails with the method, path and answer when `answer` does not have `status`. */
export function expectStatus(answer: Answer, status: number, what: string): void {
  if (answer.status !== status)
    throw new Error(`${what}: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body)}`);
}
