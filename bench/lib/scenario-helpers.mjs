// Building blocks of the scenarios: each scenario turns the fixtures (tokens of seeded
// users, slugs, usernames, the most used tag) into an autocannon `requests` array.
// Requests that vary (another slug, another user, a unique title) draw from a counter per
// scenario run, so two connections never work on the same (user, article) pair at once.

export const json = { 'content-type': 'application/json' };
export const auth = (token) => ({ authorization: `Token ${token}` });

/** A counter and a picker by it, one per scenario run. */
export function sequence() {
  let n = 0;
  return {
    next: () => n++,
    pick: (list, k) => list[k % list.length],
  };
}

/** A GET whose path (and optional token) changes with every request. */
export function rotatingGet(path, withToken, fixtures) {
  const seq = sequence();
  return [
    {
      method: 'GET',
      setupRequest: (request) => {
        const k = seq.next();
        const headers = withToken ? { ...request.headers, ...auth(seq.pick(fixtures.tokens, k).token) } : request.headers;
        return { ...request, path: path(k, seq), headers };
      },
    },
  ];
}

const WORDS = 'river garden engine signal cache stream query design summer ocean bridge craft theory kernel'.split(' ');
export const sentence = (k, length) => Array.from({ length }, (_, i) => WORDS[(k * 7 + i * 3) % WORDS.length]).join(' ');

/** The article a create request sends: unique title per run and round, 2 tags, ~1 KB body. */
export function newArticle(f, k) {
  return {
    title: `Benchmark ${f.runId} ${f.round} article ${k}`,
    description: sentence(k, 10),
    body: Array.from({ length: 5 }, (_, p) => `${sentence(k + p, 30)}.`).join('\n\n'),
    tagList: [f.tags[k % f.tags.length], f.tags[(k + 3) % f.tags.length]],
  };
}

/**
 * A pair of requests on one connection: `first` picks a subject (kept in the connection's
 * context) and `second` undoes what the first did on the same subject. Subject k is
 * `subjectOf(k)`; it comes round again only after the whole list of subjects.
 */
export function togglePair({ subjectOf, first, second }) {
  const seq = sequence();
  return [
    {
      method: first.method,
      setupRequest: (request, context) => {
        context.subject = subjectOf(seq.next());
        return first.setup(request, context.subject, context);
      },
      ...(first.onResponse ? { onResponse: (status, body, context) => first.onResponse(status, body, context) } : {}),
    },
    {
      method: second.method,
      setupRequest: (request, context) => second.setup(request, context.subject, context),
    },
  ];
}
