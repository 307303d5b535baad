/**
 * One privileged action, as the audit trail records it: who did what to what. Written
 * after the action committed, one record per action, whether or not it changed anything
 * (a grant of a role already held is still an attempt worth seeing).
 */
export interface AuditRecord {
  /** `user:<id>`, `operator` (the command line) or `identity-provider:<issuer>`. */
  readonly actor: string;
  /** e.g. `article.delete`, `comment.delete`, `article.update`, `role.grant`, `role.revoke`. */
  readonly action: string;
  /** What it was done to: an article's slug, `<slug>/comments/<id>`, a username. */
  readonly target: string;
  /** Whose it was, when someone else's (a user id). */
  readonly owner?: string;
  /** Anything the action adds (the role granted, whether it changed anything). */
  readonly detail?: Readonly<Record<string, string | number | boolean>>;
}

/** Where privileged actions are recorded: a structured log line with `audit: true`. */
export interface AuditLog {
  record(entry: AuditRecord): void;
}
export const AuditLog = Symbol.for('AuditLog');

export const userActor = (userId: string): string => `user:${userId}`;
