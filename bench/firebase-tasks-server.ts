/**
 * Child process of bench/firebase-tasks.ts: the Cloud Tasks emulator of the firebase-tools installed at `argv[2]` (its
 * package folder), alone, on 127.0.0.1 and a free port; prints `{"url": …}` once listening, runs until killed.
 * Its `start()` listens on `args.port || 9499` (lib/emulator/tasksEmulator.js, `getInfo`), so port 0 would mean 9499:
 * the same Express app (`createHubServer()`, every route the emulator has) is listened on here instead.
 */
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const require = createRequire(join(process.argv[2]!, 'package.json'));
const { TasksEmulator } = require('./lib/emulator/tasksEmulator.js') as {
  TasksEmulator: new (args: {
    host: string;
    port: number;
  }) => { createHubServer(): { listen(port: number, host: string, cb: () => void): Server } };
};
const server = new TasksEmulator({ host: '127.0.0.1', port: 0 }).createHubServer().listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
});
