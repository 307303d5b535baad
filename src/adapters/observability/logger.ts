import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { AppConfig } from '../../config/config.js';

type PrettyFactory = (options: Record<string, unknown>) => DestinationStream;

/**
 * pino-pretty when it is installed (a development dependency: the image has none, and
 * then the log stays JSON). Loaded synchronously, as a stream in this thread, so lines
 * keep their order with everything else the process prints.
 */
function prettyFactory(): PrettyFactory | undefined {
  try {
    const loaded = createRequire(import.meta.url)('pino-pretty') as PrettyFactory | { default: PrettyFactory };
    return typeof loaded === 'function' ? loaded : loaded.default;
  } catch {
    return undefined;
  }
}

/** `auto`: pretty for a person at a terminal, JSON for everything that collects logs (pipes, files, containers). */
export function chooseLogFormat(setting: AppConfig['logFormat'] | undefined, stdoutIsTty: boolean, prettyInstalled: boolean): 'json' | 'pretty' {
  if (!prettyInstalled || setting === 'json') return 'json';
  return setting === 'pretty' || stdoutIsTty ? 'pretty' : 'json';
}

/**
 * One pino logger for the process. Credentials never reach the log: request headers that
 * carry them and any password field are redacted wherever they appear. With tracing on,
 * each line written inside a span carries its `trace_id` and `span_id`.
 */
export function createLogger(
  config: Pick<AppConfig, 'logLevel' | 'env'> & Partial<Pick<AppConfig, 'logFormat'>>,
  /** Fields added to every line (the current trace and span ids when tracing is on). */
  mixin?: (line: object, level: number, logger: Logger) => Record<string, string>,
  /** Where lines go; stdout by default. */
  destination?: NodeJS.WritableStream,
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
  const pretty = prettyFactory();
  const stdoutIsTty = destination === undefined && process.stdout.isTTY === true;
  if (pretty !== undefined && chooseLogFormat(config.logFormat, stdoutIsTty, true) === 'pretty')
    return pino(
      options,
      pretty({
        colorize: stdoutIsTty,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname,service',
        sync: true,
        ...(destination === undefined ? {} : { destination }),
      }),
    );
  return destination === undefined ? pino(options) : pino(options, destination as DestinationStream);
}
