import { Err, Ok, type Result } from 'ts-results-es';
import { validationError, type ValidationError } from '../shared/domain-error.js';
import { charLength, cleanText } from '../shared/text.js';
import { slugify } from './slug.js';
import { parseTagList } from './tag.js';

const TITLE_MAX = 200;
const DESCRIPTION_MAX = 1000;
const BODY_MAX = 100_000;

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
const MAX: Readonly<Record<TextField, number>> = { title: TITLE_MAX, description: DESCRIPTION_MAX, body: BODY_MAX };

/** Title, description and body: required, not blank, bounded; surrounding white space is dropped. */
const parseText = (field: TextField, raw: string): Result<string, ArticleValidationError> => {
  const value = cleanText(raw).trim();
  if (value.length === 0) return Err(validationError(CODES[field], field, "can't be blank"));
  if (charLength(value) > MAX[field])
    return Err(validationError(CODES[field], field, `is too long (maximum is ${MAX[field]} characters)`));
  return Ok(value);
};

/** What an article says: the parts its author writes. */
export interface ArticleContent {
  readonly title: string;
  readonly description: string;
  readonly body: string;
  readonly tagList: readonly string[];
}

/** What a client sends to write an article; `null` tags mean none. */
export interface ArticleFields {
  readonly title?: string | undefined;
  readonly description?: string | undefined;
  readonly body?: string | undefined;
  readonly tagList?: readonly string[] | null | undefined;
}

/** The fields that are present, each through its rule; the first failure wins. */
function parsePresent(fields: ArticleFields): Result<Partial<Omit<ArticleEdit, 'slug'>>, ArticleValidationError> {
  const parsed: { title?: string; description?: string; body?: string; tagList?: readonly string[] } = {};
  for (const field of ['title', 'description', 'body'] as const) {
    const raw = fields[field];
    if (raw === undefined) continue;
    const value = parseText(field, raw);
    if (value.isErr()) return value;
    parsed[field] = value.value;
  }
  if (fields.tagList !== undefined) {
    const tags = parseTagList(fields.tagList ?? []);
    if (tags.isErr()) return tags;
    parsed.tagList = tags.value;
  }
  return Ok(parsed);
}

/**
 * A new article's content, valid by construction: the only way to get one is `parse`, and
 * `Article.publish` takes nothing else. Its base slug is derived here, once.
 */
export class ArticleDraft implements ArticleContent {
  private constructor(
    readonly title: string,
    readonly description: string,
    readonly body: string,
    readonly tagList: readonly string[],
    /** The slug the title asks for, before uniqueness. */
    readonly slug: string,
  ) {}

  static parse(fields: ArticleFields): Result<ArticleDraft, ArticleValidationError> {
    const parsed = parsePresent({ ...fields, tagList: fields.tagList ?? [] });
    if (parsed.isErr()) return parsed;
    const { title, description, body, tagList = [] } = parsed.value;
    if (title === undefined) return Err(validationError('ARTICLE.TITLE_INVALID', 'title', "can't be blank"));
    if (description === undefined)
      return Err(validationError('ARTICLE.DESCRIPTION_INVALID', 'description', "can't be blank"));
    if (body === undefined) return Err(validationError('ARTICLE.BODY_INVALID', 'body', "can't be blank"));
    return Ok(new ArticleDraft(title, description, body, tagList, slugify(title)));
  }
}

/** A partial edit, valid by construction: absent fields stay as they are. */
export class ArticleEdit {
  private constructor(
    readonly title: string | undefined,
    readonly description: string | undefined,
    readonly body: string | undefined,
    readonly tagList: readonly string[] | undefined,
    /** The base slug of the new title, when the title is edited. */
    readonly slug: string | undefined,
  ) {}

  static parse(fields: ArticleFields): Result<ArticleEdit, ArticleValidationError> {
    const parsed = parsePresent(fields);
    if (parsed.isErr()) return parsed;
    const { title, description, body, tagList } = parsed.value;
    return Ok(new ArticleEdit(title, description, body, tagList, title === undefined ? undefined : slugify(title)));
  }
}
