#!/usr/bin/env node
// The cost of one write to a loopback TCP socket on this machine, with nothing else running:
// five small buffers corked into one writev (as node-postgres sends an extended-protocol
// statement) against one concatenated write, each followed by a turn of the event loop.
//
//   node bench/socket-write-cost.mjs [--messages 20000]
//
// It tells a CPU profile's `writev` share under load apart from the system call's own
// price: when the share is far above messages × this cost, the time is spent waiting for
// the processes the write woke (the database) on the same cores.
import net from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { messages: { type: 'string', default: '20000' } } });
const count = Number(values.messages);
const server = net.createServer((socket) => socket.on('data', () => {})).listen(0, '127.0.0.1');
await new Promise((resolve) => server.on('listening', resolve));
const socket = net.connect(server.address().port, '127.0.0.1');
await new Promise((resolve) => socket.on('connect', resolve));
const parts = [60, 40, 6, 9, 5].map((size, i) => Buffer.alloc(size, i));
const turn = () => new Promise((resolve) => setImmediate(resolve));
for (const mode of ['writev', 'write', 'writev', 'write']) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    if (mode === 'writev') {
      socket.cork();
      for (const part of parts) socket.write(part);
      socket.uncork();
    } else socket.write(Buffer.concat(parts));
    await turn();
  }
  const us = Number(process.hrtime.bigint() - started) / count / 1000;
  console.log(`${mode.padEnd(6)} ${us.toFixed(1)} µs per message, a turn of the event loop included`);
}
socket.destroy();
server.close();
