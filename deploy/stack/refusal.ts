/**
 * The stack cannot start as asked (a tool is missing, a port is taken, a setting is
 * wrong): the message says what to do, and no stack trace is shown.
 */
export class StackRefusal extends Error {
  override readonly name = 'StackRefusal';
}
