import type { Logger } from 'pino';
import type { AuditLog, AuditRecord } from '../../application/shared/audit-log.js';

/** pino's number for `info`. */
const INFO = 30;

/**
 * The audit trail as log lines: one `info` line per privileged action, marked
 * `audit: true` so a log pipeline can route them to an append-only store. Written even
 * when LOG_LEVEL is quieter than `info` (`warn`, `error`): only `silent` drops them.
 * Never carries a secret: records hold ids, slugs and usernames only.
 */
export class LoggingAuditLog implements AuditLog {
  private readonly logger: Logger;

  constructor(logger: Logger) {
    this.logger = logger.level === 'silent' || logger.levelVal <= INFO ? logger : logger.child({}, { level: 'info' });
  }

  record(entry: AuditRecord): void {
    this.logger.info({ audit: true, ...entry }, `audit: ${entry.action} ${entry.target}`);
  }
}
