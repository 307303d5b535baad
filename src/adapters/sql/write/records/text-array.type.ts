import { Type } from '@mikro-orm/core';

/**
 * A PostgreSQL `text[]` whose every element is quoted on the way in. MikroORM's own array
 * type leaves plain elements bare, and a bare `NULL` inside an array literal is the SQL
 * null, not the text "NULL": a tag spelt `null` would be lost.
 */
export class TextArrayType extends Type<string[], string> {
  override convertToDatabaseValue(value: string[]): string {
    return `{${value.map((item) => `"${item.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
  }

  override convertToJSValue(value: string[] | string): string[] {
    // Both drivers parse text[] into an array; a literal would mean a driver change.
    if (Array.isArray(value)) return [...value];
    throw new TypeError(`expected text[] to arrive as an array, got ${typeof value}`);
  }

  override compareAsType(): string {
    return 'array';
  }

  override getColumnType(): string {
    return 'text[]';
  }
}
