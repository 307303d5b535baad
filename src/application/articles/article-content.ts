import { Ok, type Result } from 'ts-results-es';
import { parseArticleText, parseTagList, type ArticleEdit, type ArticleValidationError } from '../../domain/index.js';

export interface ArticleFields {
  readonly title?: string | undefined;
  readonly description?: string | undefined;
  readonly body?: string | undefined;
  readonly tagList?: readonly string[] | null | undefined;
}

/** Validates the fields that are present (all through the domain's value rules). */
export function parseArticleFields(fields: ArticleFields): Result<ArticleEdit, ArticleValidationError> {
  const edit: { -readonly [K in keyof ArticleEdit]: ArticleEdit[K] } = {};
  for (const field of ['title', 'description', 'body'] as const) {
    const raw = fields[field];
    if (raw === undefined) continue;
    const parsed = parseArticleText(field, raw);
    if (parsed.isErr()) return parsed;
    edit[field] = parsed.value;
  }
  if (fields.tagList !== undefined) {
    const parsed = parseTagList(fields.tagList ?? []);
    if (parsed.isErr()) return parsed;
    edit.tagList = parsed.value;
  }
  return Ok(edit);
}
