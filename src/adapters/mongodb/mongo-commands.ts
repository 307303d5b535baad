import type { CommandFailedEvent, CommandStartedEvent, CommandSucceededEvent, Document, MongoClient } from 'mongodb';

/** A command the driver sends, as an observer sees it: what and where, never a value. */
export interface MongoCommand {
  /** `find`, `insert`, `update`, `aggregate`, `getMore` … */
  readonly name: string;
  /** The collection it addresses, when it addresses one. */
  readonly collection: string | undefined;
  readonly database: string;
  /** The server it went to (host:port). */
  readonly address: string;
}

/**
 * Told of each command as the driver sends it. Answers what to call when the reply
 * arrives (with the failure, if it failed), or nothing when the command is of no interest
 * (tracing: outside any span).
 */
export interface MongoCommandObserver {
  started(command: MongoCommand): ((failure?: unknown) => void) | undefined;
}

/** The collection a command names: its first field for most commands, `collection` for getMore. */
function collectionOf(event: CommandStartedEvent): string | undefined {
  const command: Document = event.command;
  const named: unknown = event.commandName === 'getMore' ? command.collection : command[event.commandName];
  return typeof named === 'string' ? named : undefined;
}

/**
 * Tells `observer` of every command of `client`, through the driver's command monitoring
 * (the client must have been created with `monitorCommands: true`). The driver emits
 * `commandStarted` synchronously on the way from the caller's operation to the socket,
 * and its reply events at the end of that same async chain, so the observer runs in the
 * caller's async context (a test proves it with concurrent callers). A reply is matched
 * to its command by server and request id.
 */
export function watchCommands(client: MongoClient, observer: MongoCommandObserver): void {
  const open = new Map<string, (failure?: unknown) => void>();
  const key = (event: { address: string; requestId: number }) => `${event.address}#${event.requestId}`;
  const finish = (event: CommandSucceededEvent | CommandFailedEvent, failure?: unknown) => {
    const end = open.get(key(event));
    if (end === undefined) return;
    open.delete(key(event));
    end(failure);
  };
  client.on('commandStarted', (event) => {
    const end = observer.started({
      name: event.commandName,
      collection: collectionOf(event),
      database: event.databaseName,
      address: event.address,
    });
    if (end !== undefined) open.set(key(event), end);
  });
  client.on('commandSucceeded', (event) => finish(event));
  client.on('commandFailed', (event) => finish(event, event.failure));
}
