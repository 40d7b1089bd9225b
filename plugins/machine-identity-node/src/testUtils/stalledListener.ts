import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

/** A listener in another process that never accepts and whose accept queue is full. */
export interface StalledListener {
  port: number;
  /** Ends the process (the kernel then refuses connections to the port). */
  stop(): Promise<void>;
}

// Listens with a backlog of 1, then blocks its own event loop for good, so the
// kernel queues the first connections and nothing ever accepts them.
const CHILD = `
const net = require('node:net');
const server = net.createServer();
server.listen({ host: process.argv[1], port: Number(process.argv[2]), backlog: 1 }, () => {
  process.stdout.write(String(server.address().port) + '\\n', () => {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  });
});
`;

function connects(host: string, port: number, timeoutMs: number, held: net.Socket[]): Promise<boolean> {
  return new Promise(resolve => {
    const socket = net.connect({ host, port });
    socket.on('error', () => resolve(false));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      held.push(socket);
      resolve(true);
    });
  });
}

/**
 * Starts a real process listening on `host` (port 0 = any) that never accepts,
 * then fills its accept queue, so the kernel drops every further SYN and a
 * client's connect times out — what a partitioned or overloaded host looks like.
 */
export async function startStalledListener(host: string, port = 0): Promise<StalledListener> {
  const child: ChildProcess = spawn(process.execPath, ['-e', CHILD, host, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const bound = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', chunk => {
      out += chunk;
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
    child.once('exit', code => reject(new Error(`stalled listener exited with ${code}`)));
  });
  const held: net.Socket[] = [];
  // The queue holds backlog + 1 connections; fill it until a connect goes unanswered.
  for (let i = 0; i < 16 && (await connects(host, bound, 300, held)); i++);
  return {
    port: bound,
    stop: async () => {
      for (const s of held) s.destroy();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise(resolve => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
