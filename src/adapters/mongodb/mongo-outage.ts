import {
  MongoClientClosedError,
  MongoError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoOperationTimeoutError,
  MongoServerClosedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import { DependencyUnavailable } from '../../application/shared/errors.js';

/** Driver errors that mean "no usable server right now", whatever the operation was. */
const OUTAGE_CLASSES = [
  MongoServerSelectionError,
  MongoNetworkError, // includes MongoNetworkTimeoutError (socketTimeoutMS)
  MongoOperationTimeoutError,
  MongoNotConnectedError,
  MongoTopologyClosedError,
  MongoClientClosedError,
  MongoServerClosedError,
];

/**
 * Server error codes of a node that is there but cannot serve: shutting down, stepping
 * down, not primary, out of time, or unreachable from the node that was asked.
 */
const OUTAGE_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  50, // MaxTimeMSExpired
  89, // NetworkTimeout
  91, // ShutdownInProgress
  134, // ReadConcernMajorityNotAvailableYet
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

/**
 * Node's own socket errors: the driver wraps most in MongoNetworkError, but not all (a
 * write on a socket the server closed surfaces as a bare EPIPE).
 */
const SOCKET_CODES = new Set([
  'EPIPE',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ERR_SOCKET_CLOSED',
  'ERR_STREAM_WRITE_AFTER_END',
  'ERR_STREAM_DESTROYED',
]);

/** Labels the driver or server put on errors that a retry on a healthy server would not see. */
const OUTAGE_LABELS = ['RetryableWriteError', 'ResetPool', 'SystemOverloadedError'];

export const isMongoOutage = (error: unknown): boolean => {
  if (OUTAGE_CLASSES.some((outage) => error instanceof outage)) return true;
  if (!(error instanceof MongoError)) {
    const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
    return typeof code === 'string' && SOCKET_CODES.has(code);
  }
  if (typeof error.code === 'number' && OUTAGE_CODES.has(error.code)) return true;
  return OUTAGE_LABELS.some((label) => error.hasErrorLabel(label));
};

/** The error to throw for `error`: DependencyUnavailable for an outage, the error itself otherwise. */
const outageOrSelf = (error: unknown): unknown =>
  isMongoOutage(error) ? new DependencyUnavailable('read-store', { cause: error }) : error;

/**
 * Runs `work` (every public method of the Mongo read-store adapters does) and turns
 * MongoDB outage errors into DependencyUnavailable, so nothing above the adapter knows the
 * driver's classes: the HTTP layer answers 503, the projector retries the event later.
 * Every other error (a bug, a refused write, NotProjectedYet) passes unchanged.
 */
export async function translatingOutages<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw outageOrSelf(error);
  }
}
