import type { Logger } from 'pino';
import type { AuditLog, AuditRecord } from '../../application/shared/audit-log.js';

/**
 * The audit trail as log lines: one `info` line per privileged action, marked
 * `audit: true` so a log pipeline can route them to an append-only store. Never carries a
 * secret: records hold ids, slugs and usernames only.
 */
export class LoggingAuditLog implements AuditLog {
  constructor(private readonly logger: Logger) {}

  record(entry: AuditRecord): void {
    this.logger.info({ audit: true, ...entry }, `audit: ${entry.action} ${entry.target}`);
  }
}
