import { Err, Ok, type Result } from 'ts-results-es';
import { charLength, cleanText } from '../shared/text.js';
import { validationError, type ValidationError } from '../shared/domain-error.js';

/** Why a tag list was refused. */
export type TagListError = ValidationError<'ARTICLE.TAG_INVALID' | 'ARTICLE.TOO_MANY_TAGS'>;

const TAGS_MAX = 10;
const TAG_MAX = 40;

/**
 * The one form of a tag, used both when an article's tags are written and when a list is
 * filtered by `?tag=`: control characters removed, trimmed, composed (NFC) and lower case.
 * Tags are identifiers, compared in this form only, so `React`, ` react ` and `REACT` are
 * one tag, shown and counted once. Decomposed and composed spellings of an accented tag
 * are one tag too.
 */
export const normalizeTag = (raw: string): string => cleanText(raw).trim().normalize('NFC').toLowerCase().normalize('NFC');

/**
 * An article's tags: each normalised, blanks dropped, duplicates removed and the rest
 * sorted (code-point order), so the same set always reads the same. At most TAGS_MAX tags
 * of at most TAG_MAX characters each.
 */
export const parseTagList = (raw: readonly string[]): Result<readonly string[], TagListError> => {
  const tags = new Set<string>();
  for (const item of raw) {
    const tag = normalizeTag(item);
    if (tag.length === 0) continue;
    if (charLength(tag) > TAG_MAX)
      return Err(validationError('ARTICLE.TAG_INVALID', 'tagList', `tags are at most ${TAG_MAX} characters`));
    tags.add(tag);
  }
  if (tags.size > TAGS_MAX)
    return Err(validationError('ARTICLE.TOO_MANY_TAGS', 'tagList', `has too many tags (maximum is ${TAGS_MAX})`));
  return Ok([...tags].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
};
