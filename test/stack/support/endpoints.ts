import { existsSync, readFileSync } from 'node:fs';
import type { StackEndpoints } from '../../../deploy/stack/endpoints.js';

/**
 * The endpoints of a running stack (what `npm run stack -- --json` printed), from the
 * environment variable `name`: the JSON itself, or the path of a file holding it.
 * Undefined when unset: the checks that need a running stack are then skipped.
 */
export function stackFromEnv(name = 'STACK_ENDPOINTS'): StackEndpoints | undefined {
  const value = process.env[name]?.trim();
  if (value === undefined || value === '') return undefined;
  const text = value.startsWith('{') ? value : existsSync(value) ? readFileSync(value, 'utf8') : undefined;
  if (text === undefined) throw new Error(`${name} is neither JSON nor the path of a file`);
  const endpoints = JSON.parse(text) as StackEndpoints;
  if (endpoints.replicas.length < 2) throw new Error(`${name}: the checks need at least two replicas`);
  return endpoints;
}

/** A short id unique to this test run, for names shared with other runs on the same stack. */
export const runId = (): string => `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
