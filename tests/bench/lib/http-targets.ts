import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import type { CallTarget } from './call-target.ts';

/** Keep-alive connections shared by the HTTP targets, enough for the in-flight loop. */
function keepAliveAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 256 });
}

/** POSTs a JSON body over a keep-alive agent and resolves with the parsed reply. */
function postJson(agent: Agent, url: URL, body: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(
      { agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch (error) {
            reject(error as Error);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The /rpc baseline: a bare koa app in this process whose one handler reads the JSON body and
 * answers it, called over keep-alive HTTP like the gateway.
 */
export function openBareKoaTarget(): Promise<CallTarget> {
  return openKoaForwardTarget(async (params) => params);
}

/**
 * (context) The same bare koa handler, answering with `answer(params)`: given the kernel's
 * `kernel.call` to a plugin, it composes the /rpc baseline's two parts in one process with no
 * gateway, so `/rpc` minus this is what the gateway itself adds.
 */
export async function openKoaForwardTarget(answer: (params: Record<string, unknown>) => Promise<unknown>): Promise<CallTarget> {
  const app = new Koa();
  app.use(async (ctx) => {
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.req as AsyncIterable<Buffer>) chunks.push(chunk);
    const message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: number; params: Record<string, unknown> };
    ctx.body = { jsonrpc: '2.0', id: message.id, result: await answer(message.params) };
  });
  const server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  return jsonRpcOverHttp(url, 'echo', () => closeServer(server));
}

/** The gateway's `POST /rpc` calling `capability`, over keep-alive HTTP. */
export function openGatewayRpcTarget(gatewayUrl: string, capability: string): CallTarget {
  return jsonRpcOverHttp(new URL('/rpc', gatewayUrl), capability, async () => {});
}

function jsonRpcOverHttp(url: URL, method: string, closeServer: () => Promise<void>): CallTarget {
  const agent = keepAliveAgent();
  let nextId = 1;
  return {
    pid: process.pid,
    echo: async (params) => {
      const reply = (await postJson(agent, url, JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }))) as { result?: unknown; error?: { message: string } };
      if (reply.error) throw new Error(reply.error.message);
      return reply.result;
    },
    close: async () => {
      agent.destroy();
      await closeServer();
    },
  };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
