import { describe, expect, it } from 'vitest';
import {
  Article,
  ArticleDraft,
  ArticleEdit,
  chooseSlug,
  parseTagList,
  slugify,
  type Actor,
  type ArticleFields,
} from '../../src/domain/index.js';

const now = new Date('2026-01-01T00:00:00.000Z');
const later = new Date('2026-01-02T00:00:00.000Z');
const author: Actor = { userId: 'a1', role: 'user' };
const stranger: Actor = { userId: 'x9', role: 'user' };
const admin: Actor = { userId: 'root', role: 'admin' };
const free = { baseTaken: false, uniqueSuffix: 'abc123' };

const draft = (fields: ArticleFields) => ArticleDraft.parse(fields).unwrap();
const edit = (fields: ArticleFields) => ArticleEdit.parse(fields).unwrap();

const publish = () =>
  Article.publish({
    id: 'art1',
    authorId: 'a1',
    draft: draft({ title: 'How to train your dragon', description: 'Ever wonder how?', body: 'Very carefully.', tagList: ['dragons', 'training'] }),
    slug: free,
    now,
  });

describe('article values', () => {
  it('slugify folds accents and punctuation into single dashes', () => {
    expect(slugify('How to Train   Your Dragon!')).toBe('how-to-train-your-dragon');
    expect(slugify('Crème brûlée: a guide')).toBe('creme-brulee-a-guide');
    expect(slugify('  --Ünïcödé--  ')).toBe('unicode');
    expect(slugify('日本語 タイトル')).toBe('日本語-タイトル');
    expect(slugify('!!!')).toBe('article');
    expect(slugify('x'.repeat(300)).length).toBe(100);
  });

  it('keeps Hangul syllables whole', () => {
    expect(slugify('한국어 제목')).toBe('한국어-제목');
  });

  it('never gives an article a slug that is a route of its own', () => {
    expect(chooseSlug(slugify('Feed'), { baseTaken: false, uniqueSuffix: 'abc123' })).toBe('feed-abc123');
  });

  it('stores text without control characters or unpaired surrogates', () => {
    expect(draft({ title: 'a\u0000b\uD800c', description: 'd', body: 'b' }).title).toBe('ab\uFFFDc');
  });

  it('chooseSlug adds the suffix only when the base is taken', () => {
    expect(chooseSlug('hello-world', { baseTaken: false, uniqueSuffix: 'zz9' })).toBe('hello-world');
    expect(chooseSlug('hello-world', { baseTaken: true, uniqueSuffix: 'zz9' })).toBe('hello-world-zz9');
  });

  it('tags are trimmed, de-duplicated case-insensitively, blank-free and sorted', () => {
    expect(parseTagList([' training', 'dragons ', 'Dragons', '', '  ']).unwrap()).toEqual(['dragons', 'training']);
  });

  it('tags are bounded in count and length', () => {
    expect(parseTagList(Array.from({ length: 11 }, (_, i) => `t${i}`)).isErr()).toBe(true);
    expect(parseTagList(['x'.repeat(41)]).isErr()).toBe(true);
    expect(parseTagList(Array.from({ length: 10 }, (_, i) => `t${i}`)).isOk()).toBe(true);
  });

  it('text fields are required and bounded', () => {
    expect(ArticleDraft.parse({ title: '   ', description: 'd', body: 'b' }).isErr()).toBe(true);
    expect(ArticleDraft.parse({ title: 'x'.repeat(201), description: 'd', body: 'b' }).isErr()).toBe(true);
    expect(draft({ title: 't', description: 'd', body: ' ok ' }).body).toBe('ok');
    const err = ArticleDraft.parse({ title: 't', description: '', body: 'b' });
    expect(err.isErr() && err.error).toMatchObject({ kind: 'validation', field: 'description' });
    const missing = ArticleDraft.parse({ title: 't', body: 'b' });
    expect(missing.isErr() && missing.error).toMatchObject({ field: 'description' });
  });

  it('a draft derives its base slug once, an edit only when it changes the title', () => {
    expect(draft({ title: 'Hello, World!', description: 'd', body: 'b' }).slug).toBe('hello-world');
    expect(edit({ title: 'Hello again' }).slug).toBe('hello-again');
    expect(edit({ body: 'b' }).slug).toBeUndefined();
    expect(ArticleEdit.parse({ body: '  ' }).isErr()).toBe(true);
  });
});

describe('Article', () => {
  it('publishes with a slug from the title and records ArticlePublished', () => {
    const article = publish();
    expect(article.slug).toBe('how-to-train-your-dragon');
    const [event] = article.pullEvents();
    expect(event).toMatchObject({
      type: 'ArticlePublished',
      aggregateId: 'art1',
      version: 1,
      payload: { slug: 'how-to-train-your-dragon', tagList: ['dragons', 'training'], createdAt: now.toISOString() },
    });
  });

  it('gets a suffixed slug when its own is taken', () => {
    const article = Article.publish({
      id: 'art2',
      authorId: 'a1',
      draft: draft({ title: 'Hello', description: 'd', body: 'b', tagList: [] }),
      slug: { baseTaken: true, uniqueSuffix: 'q1w2e3' },
      now,
    });
    expect(article.slug).toBe('hello-q1w2e3');
  });

  it('lets only its author or an admin edit it', () => {
    const article = publish();
    const refused = article.edit(stranger, edit({ body: 'mine now' }), free, later);
    expect(refused.isErr() && refused.error).toMatchObject({ kind: 'forbidden', code: 'ARTICLE.NOT_AUTHOR' });
    expect(article.edit(admin, edit({ body: 'moderated' }), free, later).isOk()).toBe(true);
    expect(article.edit(author, edit({ body: 'With two hands' }), free, later).isOk()).toBe(true);
    expect(article.snapshot().body).toBe('With two hands');
  });

  it('changes its slug with its title, keeps it otherwise', () => {
    const article = publish();
    article.pullEvents();
    article.edit(author, edit({ body: 'new body' }), free, later);
    expect(article.slug).toBe('how-to-train-your-dragon');
    article.edit(author, edit({ title: 'HOW to train your dragon!' }), free, later);
    expect(article.slug).toBe('how-to-train-your-dragon');
    article.edit(author, edit({ title: 'Did you train your dragon?' }), free, later);
    expect(article.slug).toBe('did-you-train-your-dragon');
    const events = article.pullEvents();
    expect(events.map((e) => e.type)).toEqual(['ArticleUpdated', 'ArticleUpdated', 'ArticleUpdated']);
    expect(events.map((e) => e.version)).toEqual([2, 3, 4]);
    expect(events[2]?.payload).toMatchObject({ previousSlug: 'how-to-train-your-dragon', slug: 'did-you-train-your-dragon' });
  });

  it('records nothing for an edit that changes nothing', () => {
    const article = publish();
    article.pullEvents();
    expect(article.edit(author, edit({ body: 'Very carefully.', tagList: ['dragons', 'training'] }), free, later).isOk()).toBe(true);
    expect(article.pullEvents()).toHaveLength(0);
  });

  it('is deleted only by its author or an admin, once', () => {
    const article = publish();
    article.pullEvents();
    expect(article.delete(stranger, later).isErr()).toBe(true);
    expect(article.isDeleted).toBe(false);
    expect(article.delete(author, later).isOk()).toBe(true);
    expect(article.delete(author, later).isOk()).toBe(true);
    const events = article.pullEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'ArticleDeleted', version: 2, payload: { articleId: 'art1', tagList: ['dragons', 'training'] } });
  });
});
