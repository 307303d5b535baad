import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { LoggingAuditLog } from '../../src/adapters/observability/logging-audit-log.js';

const capture = (level: string) => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write: (chunk: Buffer, _e, done) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: pino({ level }, sink) };
};

describe('LoggingAuditLog', () => {
  it('writes one structured line per record, also when the log level is quieter than info', () => {
    for (const level of ['debug', 'info', 'warn', 'error']) {
      const { lines, logger } = capture(level);
      new LoggingAuditLog(logger).record({ actor: 'user:a', action: 'article.delete', target: 'how-to', owner: 'b' });
      logger.warn('not audit');
      expect(lines.filter((l) => l.audit === true)).toEqual([
        expect.objectContaining({ audit: true, actor: 'user:a', action: 'article.delete', target: 'how-to', owner: 'b', level: 30 }),
      ]);
    }
  });

  it('writes nothing when logging is silent', () => {
    const { lines, logger } = capture('silent');
    new LoggingAuditLog(logger).record({ actor: 'operator', action: 'role.grant', target: 'jake' });
    expect(lines).toEqual([]);
  });
});
