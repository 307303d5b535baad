import { existsSync } from 'node:fs';
import { connect } from 'node:net';

/**
 * Where the broker tests find their brokers: TEST_NATS_URL / TEST_AMQP_URL, or the local
 * servers every development and CI machine runs (NATS 4222, RabbitMQ 5672). A developer
 * without them sees the tests skipped with the reason; under CI a missing broker fails the
 * run instead, so a broken service cannot pass as a green build.
 */
export interface Broker {
  readonly url: string;
  readonly available: boolean;
  readonly host: string;
  readonly port: number;
}

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function probe(name: string, url: string, defaultPort: number): Promise<Broker> {
  const parsed = new URL(url);
  const host = parsed.hostname;
  const port = Number(parsed.port || defaultPort);
  const available = await reachable(host, port);
  if (!available) {
    if (process.env['CI'] === 'true') throw new Error(`${name} is not reachable at ${host}:${port}; CI must run the broker tests`);
    console.warn(`${name} is not reachable at ${host}:${port}: its tests are skipped`);
  }
  return { url, available, host, port };
}

export const nats = (): Promise<Broker> => probe('NATS', process.env['TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222', 4222);
export const rabbitmq = (): Promise<Broker> =>
  probe('RabbitMQ', process.env['TEST_AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672', 5672);

/** The nats-server binary the restart test runs on its own port. */
export function natsServerBinary(): string | null {
  const bin = process.env['NATS_SERVER_BIN'] ?? '/usr/sbin/nats-server';
  if (existsSync(bin)) return bin;
  if (process.env['CI'] === 'true') throw new Error(`no nats-server at ${bin}; CI must run the restart test`);
  console.warn(`no nats-server at ${bin}: the NATS restart test is skipped`);
  return null;
}
