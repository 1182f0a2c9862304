import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { CallTarget } from './call-target.ts';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** The /ws baseline: a bare `ws` server in this process that answers each JSON-RPC request with its params. */
export async function openBareWsTarget(): Promise<CallTarget> {
  const server = createServer();
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket) => {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { id: number; params: unknown };
      socket.send(JSON.stringify({ jsonrpc: '2.0', id: message.id, result: message.params }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const target = await openWsClient(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`, 'echo');
  return {
    pid: process.pid,
    echo: target.echo,
    close: async () => {
      await target.close();
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The gateway's `/ws` calling `capability` on one connection, many calls in flight. */
export function openGatewayWsTarget(gatewayUrl: string, capability: string): Promise<CallTarget> {
  return openWsClient(`${gatewayUrl.replace(/^http/, 'ws')}/ws`, capability);
}

async function openWsClient(url: string, method: string): Promise<CallTarget> {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  socket.on('message', (data) => {
    const reply = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
    if (reply.id === undefined) return;
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if (reply.error) waiter.reject(new Error(reply.error.message));
    else waiter.resolve(reply.result);
  });
  socket.on('close', () => {
    for (const waiter of pending.values()) waiter.reject(new Error('WebSocket closed'));
    pending.clear();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    pid: process.pid,
    echo: (params) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
      }),
    close: async () => {
      if (socket.readyState === WebSocket.CLOSED) return;
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.close();
      });
    },
  };
}
