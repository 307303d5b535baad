/**
 * Every JetStream name the bus uses, from one prefix, so deployments and test runs can
 * share a server. With no prefix the events live on `conduit.>` in stream `conduit-events`;
 * with prefix `p` on `p.conduit.>` in `p-conduit-events`.
 */
export interface NatsNames {
  readonly eventStream: string;
  readonly eventSubjects: string;
  readonly deadLetterStream: string;
  readonly deadLetterSubjects: string;
  subjectOf(type: string): string;
  deadLetterSubjectOf(consumer: string): string;
}

const BUS_PREFIX = /^[A-Za-z0-9_-]{0,32}$/;

export function natsNames(prefix = ''): NatsNames {
  if (!BUS_PREFIX.test(prefix)) throw new RangeError(`bus prefix "${prefix}" must be at most 32 of A-Z a-z 0-9 _ -`);
  const subjectRoot = prefix === '' ? '' : `${prefix}.`;
  const streamRoot = prefix === '' ? '' : `${prefix}-`;
  return {
    eventStream: `${streamRoot}conduit-events`,
    eventSubjects: `${subjectRoot}conduit.>`,
    deadLetterStream: `${streamRoot}conduit-dead-letters`,
    deadLetterSubjects: `${subjectRoot}conduit-dead-letters.>`,
    subjectOf: (type) => `${subjectRoot}${type}`,
    deadLetterSubjectOf: (consumer) => `${subjectRoot}conduit-dead-letters.${consumer}`,
  };
}

/** Header names: on dead letters, and on a replayed copy (which only its consumer handles). */
export const NATS_HEADERS = {
  consumer: 'Conduit-Consumer',
  reason: 'Conduit-Reason',
  deadAt: 'Conduit-Dead-At',
  attempts: 'Conduit-Attempts',
  replayFor: 'Conduit-Replay-For',
} as const;

/** Header values are one line of printable text: a multi-line error message is folded. */
export function headerValue(text: string): string {
  const folded = text.replace(/[\r\n]+/g, ' ').replace(/[^\x20-\x7e\u00a0-\uffff]/g, '?');
  return folded.length > 2000 ? `${folded.slice(0, 2000)}…` : folded;
}
