import { pino, type DestinationStream, type Logger } from 'pino';
import type { AppConfig } from '../../config/config.js';

/**
 * One pino logger for the process. Credentials never reach the log: request headers that
 * carry them and any password field are redacted wherever they appear. With tracing on,
 * each line written inside a span carries its `trace_id` and `span_id`.
 */
export function createLogger(
  config: Pick<AppConfig, 'logLevel' | 'env'>,
  /** Fields added to every line (the current trace and span ids when tracing is on). */
  mixin?: (line: object, level: number, logger: Logger) => Record<string, string>,
  /** Where lines go; stdout by default. */
  destination?: DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    ...(mixin && { mixin }),
    level: config.logLevel,
    base: { service: 'conduit-cqrs' },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        '*.password',
        '*.passwordHash',
        '*.token',
        'user.password',
        'body.user.password',
      ],
      censor: '[redacted]',
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
