import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  INTEGRATION_EVENT_TYPES,
  MalformedIntegrationEvent,
  parseIntegrationEvent,
  toIntegrationEvent,
} from '../../../src/application/integration/integration-events.js';
import { CONDUIT_EVENT_TYPES, type ConduitEvent } from '../../../src/domain/index.js';
import { SAMPLE_EVENTS } from './sample-events.js';

const samples = (): ConduitEvent[] => CONDUIT_EVENT_TYPES.map((type) => SAMPLE_EVENTS[type]);

/** Every key anywhere inside a value, lower-cased. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => [key.toLowerCase(), ...keysOf(inner)]);
}

/** The JSON example under each `### \`type\`` heading of docs/events.md. */
function documentedExamples(): Map<string, unknown> {
  const doc = readFileSync(new URL('../../../docs/events.md', import.meta.url), 'utf8');
  const examples = new Map<string, unknown>();
  for (const match of doc.matchAll(/^### `([^`]+)`\n[\s\S]*?```json\n([\s\S]*?)\n```/gm))
    examples.set(match[1] as string, JSON.parse(match[2] as string));
  return examples;
}

describe('integration events', () => {
  it('maps every domain event type to its own integration event type', () => {
    const types = samples().map((event) => toIntegrationEvent(event).type);
    expect(new Set(types).size).toBe(CONDUIT_EVENT_TYPES.length);
    expect([...types].sort()).toEqual([...INTEGRATION_EVENT_TYPES].sort());
    for (const type of types) expect(type).toMatch(/^conduit\.[a-z]+\.[a-z]+\.v[0-9]+$/);
  });

  it('wraps each in a CloudEvents 1.0 envelope about its aggregate, at its occurrence time', () => {
    for (const event of samples()) {
      const integration = toIntegrationEvent(event);
      expect(integration).toMatchObject({
        specversion: '1.0',
        source: '/conduit',
        datacontenttype: 'application/json',
        time: event.occurredAt.toISOString(),
        aggregateversion: event.version,
      });
      expect(integration.subject).toMatch(new RegExp(`^(users|follows|articles|favorites|comments)/${event.aggregateId}$`));
    }
  });

  it('gives the same domain event the same id every time, and different events different ids', () => {
    const ids = samples().map((event) => toIntegrationEvent(event).id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const event of samples()) {
      const copy = structuredClone(event);
      expect(toIntegrationEvent(copy).id).toBe(toIntegrationEvent(event).id);
      expect(toIntegrationEvent({ ...event, version: event.version + 1 } as ConduitEvent).id).not.toBe(toIntegrationEvent(event).id);
    }
  });

  it('publishes no secret, hash, token or e-mail', () => {
    for (const event of samples()) {
      const integration = toIntegrationEvent(event);
      for (const key of keysOf(integration.data)) expect(key).not.toMatch(/pass|hash|token|secret|salt|jwt|e-?mail/);
      expect(JSON.stringify(integration)).not.toContain('@example.com');
    }
  });

  it('maps fields explicitly: a field the domain adds (or a secret slipped into a payload) does not leak', () => {
    for (const event of samples()) {
      const polluted = { ...event, payload: { ...event.payload, passwordHash: '$argon2id$…', internalNote: 'x' } } as unknown as ConduitEvent;
      expect(toIntegrationEvent(polluted)).toEqual(toIntegrationEvent(event));
    }
  });

  it('is what docs/events.md shows, type by type', () => {
    const examples = documentedExamples();
    expect([...examples.keys()]).toEqual([...INTEGRATION_EVENT_TYPES]);
    for (const event of samples()) {
      const integration = toIntegrationEvent(event);
      expect(examples.get(integration.type), integration.type).toEqual(JSON.parse(JSON.stringify(integration)));
    }
  });

  it('parses what it publishes and refuses what is not an event', () => {
    for (const event of samples()) {
      const integration = toIntegrationEvent(event);
      expect(parseIntegrationEvent(JSON.stringify(integration))).toEqual(JSON.parse(JSON.stringify(integration)));
    }
    const valid = JSON.parse(JSON.stringify(toIntegrationEvent(SAMPLE_EVENTS.UserRegistered))) as Record<string, unknown>;
    for (const bad of ['not json', '[]', JSON.stringify({ ...valid, specversion: '0.3' }), JSON.stringify({ ...valid, id: '' }), JSON.stringify({ ...valid, data: 'x' })])
      expect(() => parseIntegrationEvent(bad)).toThrow(MalformedIntegrationEvent);
  });
});
