import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { chooseLogFormat, createLogger } from '../../../src/adapters/observability/logger.js';

describe('log format', () => {
  it.each([
    ['auto', true, true, 'pretty'],
    ['auto', false, true, 'json'],
    ['pretty', false, true, 'pretty'],
    ['json', true, true, 'json'],
    // The image has no development dependencies: JSON, whatever was asked.
    ['auto', true, false, 'json'],
    ['pretty', true, false, 'json'],
  ] as const)('LOG_FORMAT=%s, terminal %s, pino-pretty installed %s → %s', (setting, tty, installed, expected) => {
    expect(chooseLogFormat(setting, tty, installed)).toBe(expected);
  });

  const capture = () => {
    let text = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString();
        done();
      },
    });
    return { sink, text: () => text };
  };

  it('writes JSON lines, or pretty lines when asked, with credentials redacted in both', () => {
    for (const logFormat of ['json', 'pretty'] as const) {
      const out = capture();
      const logger = createLogger({ logLevel: 'info', env: 'test', logFormat }, undefined, out.sink);
      logger.info({ user: { password: 'hunter2-secret' } }, 'hello');
      logger.flush();
      expect(out.text()).not.toContain('hunter2-secret');
      if (logFormat === 'json') expect(JSON.parse(out.text())).toMatchObject({ msg: 'hello', service: 'conduit-cqrs' });
      else expect(out.text()).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: hello/);
    }
  });
});
