// What the scenarios need from the seeded database, read through the API: tokens of some
// seeded users, slugs spread over the whole article list, articles those users wrote (to
// update), tags and the article count.
import { median } from './report.mjs';

export const PASSWORD = 'password123'; // what the seed CLI gives every user

async function call(base, method, path, body, token) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Token ${token}` } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** The article count as the API reports it. */
export async function articlesCount(base) {
  return (await call(base, 'GET', '/api/articles?limit=1')).articlesCount;
}

export async function loadFixtures(base, { runId, userCount, tokenCount, prefix }) {
  const usernames = Array.from({ length: userCount }, (_, i) => `${prefix}_user_${i}`);
  const logins = usernames.map((username) => ({ username, email: `${username}@example.test`, password: PASSWORD }));

  const tokens = [];
  const loginTimes = [];
  for (const login of logins.slice(0, Math.min(tokenCount, logins.length))) {
    const started = performance.now();
    const { user } = await call(base, 'POST', '/api/users/login', { user: { email: login.email, password: login.password } });
    loginTimes.push(performance.now() - started);
    tokens.push({ username: user.username, token: user.token });
  }

  const { tags } = await call(base, 'GET', '/api/tags');
  if (tags.length === 0) throw new Error('the database has no tags: seed it with articles first');
  const count = await articlesCount(base);
  // Up to 200 slugs, 40 from each of 5 places spread over the whole list.
  const slugs = new Set();
  for (let i = 0; i < 5; i++) {
    const offset = Math.floor((count * i) / 5);
    const { articles } = await call(base, 'GET', `/api/articles?limit=40&offset=${offset}`);
    for (const article of articles) slugs.add(article.slug);
  }
  // Up to 10 articles of each logged-in user, for updates by their author.
  const owned = [];
  for (const { username, token } of tokens) {
    const { articles } = await call(base, 'GET', `/api/articles?author=${encodeURIComponent(username)}&limit=10`);
    for (const article of articles) owned.push({ token, slug: article.slug });
  }
  if (owned.length === 0) throw new Error('none of the logged-in users wrote an article: seed more articles');
  const slugList = [...slugs];
  return {
    runId,
    tokens,
    logins,
    usernames,
    slugs: slugList,
    hotSlugs: slugList.slice(0, 10),
    owned,
    tags,
    popularTag: tags[0],
    articlesCount: count,
    loginMs: median(loginTimes),
  };
}
