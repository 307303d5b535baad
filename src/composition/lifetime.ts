/**
 * What a process opened, closed in reverse order: the composition root defers each
 * closer as it opens the thing, so a failure half-way closes exactly what was opened.
 */
export class Lifetime {
  private readonly closers: (() => Promise<void>)[] = [];

  defer(closer: () => Promise<void>): void {
    this.closers.push(closer);
  }

  /** Closes everything deferred, last first; every closer runs even when one fails. */
  async close(): Promise<void> {
    const errors: unknown[] = [];
    for (const closer of this.closers.splice(0).reverse()) {
      try {
        await closer();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, 'closing failed');
  }
}
