import { Ajv, type ErrorObject } from 'ajv';
import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';

/**
 * Request validation at the edge, one Ajv per request part because the parts need
 * opposite rules:
 * - bodies are JSON and already typed, so nothing is coerced: `{"title": 123}` is refused
 *   rather than silently becoming "123";
 * - path parameters and query strings are always text, so they are coerced to the schema
 *   type (`?limit=10` → 10) and receive their defaults.
 * Neither strips unknown properties: route handlers copy only the fields they know, so an
 * extra property is ignored without costing a mutation of every body.
 */
export function createValidatorCompiler(): FastifySchemaCompiler<object> {
  const common = { allErrors: false, allowUnionTypes: true, strict: true } as const;
  const bodies = new Ajv({ ...common, coerceTypes: false, useDefaults: false });
  const text = new Ajv({ ...common, coerceTypes: true, useDefaults: true });

  return ({ schema, httpPart }) => {
    if (httpPart !== 'body') return text.compile(schema);
    const validate = bodies.compile(schema);
    // Fastify hands an absent body over as null. Validating it as {} turns "no body" into
    // the same answer as "no wrapper key": 422 naming the missing key, not a type error.
    return (data: unknown) => (validate(data ?? {}) ? true : { error: validate.errors ?? [] });
  };
}

export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

type AjvProblem = Pick<ErrorObject, 'keyword' | 'instancePath' | 'params' | 'message'>;

/** Where the part itself (not one of its fields) is wrong, the error names the part. */
const PART_FIELD: Readonly<Record<string, string>> = { body: 'body', querystring: 'query', params: 'params' };

/**
 * The first schema violation as a RealWorld error entry: the field is the offending
 * property (the missing one for `required`; the array itself for a bad array item) and
 * the message reads like the spec's ("can't be blank", "is too long (maximum is N
 * characters)").
 */
export function describeValidation(
  errors: readonly (FastifySchemaValidationError | AjvProblem)[],
  part: string | undefined,
): FieldProblem {
  const error = errors[0];
  const partField = PART_FIELD[part ?? 'body'] ?? 'request';
  if (error === undefined) return { field: partField, message: 'is invalid' };

  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required' && typeof params.missingProperty === 'string')
    return { field: params.missingProperty, message: "can't be blank" };

  const segments = error.instancePath.split('/').filter((s) => s.length > 0);
  let item: string | undefined;
  while (segments.length > 0 && /^\d+$/.test(segments.at(-1) ?? '')) item = segments.pop();
  const field = segments.at(-1) ?? partField;
  const message = messageOf(error.keyword, params, error.message);
  return { field, message: item === undefined ? message : `item ${item} ${message}` };
}

function messageOf(keyword: string, params: Record<string, unknown>, fallback: string | undefined): string {
  switch (keyword) {
    case 'type':
      return `must be ${typeNames(params.type)}`;
    case 'maxLength':
      return `is too long (maximum is ${String(params.limit)} characters)`;
    case 'minLength':
      return params.limit === 1 ? "can't be blank" : `is too short (minimum is ${String(params.limit)} characters)`;
    case 'maxItems':
      return `has too many items (maximum is ${String(params.limit)})`;
    case 'minimum':
      return `must be greater than or equal to ${String(params.limit)}`;
    case 'maximum':
      return `must be less than or equal to ${String(params.limit)}`;
    case 'pattern':
    case 'format':
      return 'is invalid';
    default:
      return fallback ?? 'is invalid';
  }
}

const ARTICLE: Readonly<Record<string, string>> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
  null: 'null',
};

const typeNames = (type: unknown): string =>
  String(type)
    .split(',')
    .map((t) => ARTICLE[t] ?? t)
    .join(' or ');
