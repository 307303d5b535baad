import { Err, Ok, type Result } from 'ts-results-es';
import { validationError, type ValidationError } from '../shared/domain-error.js';
import { charLength, cleanText } from '../shared/text.js';

export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 1000;
export const BODY_MAX = 100_000;
export const TAGS_MAX = 10;
export const TAG_MAX = 40;
export const SLUG_MAX = 100;

export type ArticleValidationError = ValidationError<
  | 'ARTICLE.TITLE_INVALID'
  | 'ARTICLE.DESCRIPTION_INVALID'
  | 'ARTICLE.BODY_INVALID'
  | 'ARTICLE.TAG_INVALID'
  | 'ARTICLE.TOO_MANY_TAGS'
>;

type TextField = 'title' | 'description' | 'body';
const CODES = {
  title: 'ARTICLE.TITLE_INVALID',
  description: 'ARTICLE.DESCRIPTION_INVALID',
  body: 'ARTICLE.BODY_INVALID',
} as const;
const MAX: Record<TextField, number> = { title: TITLE_MAX, description: DESCRIPTION_MAX, body: BODY_MAX };

/** Title, description and body: required, not blank, bounded; surrounding white space is dropped. */
export const parseArticleText = (field: TextField, raw: string): Result<string, ArticleValidationError> => {
  const value = cleanText(raw).trim();
  if (value.length === 0) return Err(validationError(CODES[field], field, "can't be blank"));
  if (charLength(value) > MAX[field])
    return Err(validationError(CODES[field], field, `is too long (maximum is ${MAX[field]} characters)`));
  return Ok(value);
};

/**
 * Tags are trimmed, blanks dropped, duplicates removed (case-insensitively, first
 * spelling wins) and sorted, so the same set always reads the same. At most TAGS_MAX
 * tags of at most TAG_MAX characters each.
 */
export const parseTagList = (raw: readonly string[]): Result<string[], ArticleValidationError> => {
  const seen = new Map<string, string>();
  for (const item of raw) {
    const tag = cleanText(item).trim().normalize('NFC');
    if (tag.length === 0) continue;
    if (charLength(tag) > TAG_MAX)
      return Err(validationError('ARTICLE.TAG_INVALID', 'tagList', `tags are at most ${TAG_MAX} characters`));
    const key = tag.toLowerCase();
    if (!seen.has(key)) seen.set(key, tag);
  }
  if (seen.size > TAGS_MAX)
    return Err(validationError('ARTICLE.TOO_MANY_TAGS', 'tagList', `has too many tags (maximum is ${TAGS_MAX})`));
  return Ok([...seen.values()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
};

/**
 * The URL form of a title: lower case, accents folded, runs of anything that is not a
 * letter or digit become one "-". A title with no letters or digits at all gives "article".
 */
export const slugify = (title: string): string => {
  const slug = title
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    // Scripts whose letters decompose into parts (Hangul) are put back together.
    .normalize('NFC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
  const bounded = [...slug].slice(0, SLUG_MAX).join('').replace(/-+$/g, '');
  return bounded.length > 0 ? bounded : 'article';
};

/** Slugs that are routes of their own (`GET /api/articles/feed`): never given to an article. */
const RESERVED_SLUGS: ReadonlySet<string> = new Set(['feed']);

/** The slug for a title: its own slug when free, otherwise that slug plus a unique suffix. */
export const chooseSlug = (title: string, baseTaken: boolean, uniqueSuffix: string): string => {
  const base = slugify(title);
  return baseTaken || RESERVED_SLUGS.has(base) ? `${base}-${uniqueSuffix}` : base;
};
