import { Ajv, type ErrorObject } from 'ajv';
import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import { STORABLE_TEXT } from './schemas.js';

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
    if (httpPart !== 'body') {
      const validate = text.compile(schema);
      return (data: unknown) => {
        if (!validate(data)) return { error: validate.errors ?? [] };
        const infinite = nonFiniteProperty(data);
        return infinite === undefined ? true : { error: [notAnInteger(infinite)] };
      };
    }
    const validate = bodies.compile(schema);
    // Fastify hands an absent body over as null. Validating it as {} turns "no body" into
    // the same answer as "no wrapper key": 422 naming the missing key, not a type error.
    return (data: unknown) => (validate(data ?? {}) ? true : { error: validate.errors ?? [] });
  };
}

/**
 * Ajv coerces `"Infinity"`, `"-Infinity"` and `"1e400"` to ±Infinity, which passes its
 * `integer` check (`Infinity % 1` is NaN, and NaN is falsy) while `minimum`/`maximum` skip
 * non-finite numbers altogether: `?offset=Infinity` would reach the database (a 500 on
 * PostgreSQL) and `/comments/Infinity` a handler. Query strings and path parameters are
 * flat, so a look at their own properties finds every coerced number.
 */
function nonFiniteProperty(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === 'number' && !Number.isFinite(value)) return key;
  }
  return undefined;
}

const notAnInteger = (property: string): FastifySchemaValidationError => ({
  keyword: 'type',
  instancePath: `/${property}`,
  schemaPath: `#/properties/${property}/type`,
  params: { type: 'integer' },
  message: 'must be integer',
});

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
      return params.pattern === STORABLE_TEXT ? 'must not contain NUL or unpaired surrogate characters' : 'is invalid';
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
