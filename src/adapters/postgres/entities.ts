import type { EntitySchema } from '@mikro-orm/core';

/** The write model's MikroORM mappings (persistence records; the domain has no decorators). */
export const writeModelEntities: EntitySchema[] = [];
