import { afterEach, describe, expect, it, vi } from 'vitest';
import { BusError } from '../src/protocol/bus-error.ts';
import { ErrorCode } from '../src/protocol/error-codes.ts';
import type { JsonRpcMessage } from '../src/rpc/json-rpc-message.ts';
import { RpcConnection, type ConnectionDiagnostic, type RpcConnectionHandlers } from '../src/rpc/rpc-connection.ts';
import type { Transport, TransportHandlers } from '../src/rpc/transport.ts';
import { createTransportPair } from '../src/testing/memory-transport.ts';

const open: RpcConnection[] = [];

afterEach(() => {
  for (const connection of open.splice(0)) connection.dispose();
});

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const never = () => new Promise<never>(() => {});

/** Replaces `transport.send` with a recorder that still sends. */
function recordSends(transport: Transport): JsonRpcMessage[] {
  const sent: JsonRpcMessage[] = [];
  const send = transport.send.bind(transport);
  transport.send = (message) => {
    sent.push(message);
    send(message);
  };
  return sent;
}

/** A client connection and a server connection whose requests go to `onRequest`. */
function connectedPair(onRequest: RpcConnectionHandlers['onRequest'], serverHandlers: Partial<RpcConnectionHandlers> = {}) {
  const [clientEnd, serverEnd] = createTransportPair();
  const serverSent = recordSends(serverEnd);
  const clientDiagnostics: ConnectionDiagnostic[] = [];
  const client = new RpcConnection(clientEnd, {
    onRequest: () => {
      throw new BusError(ErrorCode.MethodNotFound, 'client serves nothing');
    },
    onDiagnostic: (diagnostic) => clientDiagnostics.push(diagnostic),
  });
  const server = new RpcConnection(serverEnd, { ...serverHandlers, onRequest });
  client.start();
  server.start();
  open.push(client, server);
  return { client, server, serverSent, clientDiagnostics };
}

/** A connection whose peer is a bare transport, for sending messages RpcConnection would never write. */
function connectionWithRawPeer() {
  const [connectionEnd, rawEnd] = createTransportPair();
  const diagnostics: ConnectionDiagnostic[] = [];
  const connection = new RpcConnection(connectionEnd, { onRequest: () => ({}), onDiagnostic: (diagnostic) => diagnostics.push(diagnostic) });
  const received: unknown[] = [];
  rawEnd.start({ onMessage: (message) => received.push(message), onClose: () => {} });
  connection.start();
  open.push(connection);
  return { connection, raw: rawEnd, received, diagnostics };
}

/** Resolves with the signal's abort reason once it is aborted. */
function abortReason(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true }));
}

describe('RpcConnection', () => {
  it('resolves a request with the result the peer returns', async () => {
    const { client } = connectedPair((method, params) => ({ method, params }));
    await expect(client.request('demo.echo', { text: 'hi' })).resolves.toEqual({ method: 'demo.echo', params: { text: 'hi' } });
  });

  it('rejects with a BusError carrying the code and data of an error response', async () => {
    const { client } = connectedPair(() => {
      throw new BusError(1234, 'no such file', { path: '/x' });
    });
    const error = await client.request('demo.read', {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BusError);
    expect(error).toMatchObject({ code: 1234, message: 'no such file', data: { path: '/x' } });
  });

  it('answers a handler that throws a plain Error with InternalError naming the error class', async () => {
    const { client } = connectedPair(async () => {
      throw new RangeError('out of range');
    });
    await expect(client.request('demo.fail', {})).rejects.toMatchObject({
      code: ErrorCode.InternalError,
      message: 'out of range',
      data: { name: 'RangeError' },
    });
  });

  it('answers $/ping while a handler is pending forever', async () => {
    const { client } = connectedPair(never);
    void client.request('demo.hang', {}).catch(() => {});
    await expect(client.request('$/ping', {})).resolves.toEqual({});
  });

  describe('cancelling with an AbortSignal', () => {
    it('rejects the request locally with Cancelled', async () => {
      const { client } = connectedPair(never);
      const controller = new AbortController();
      const pending = client.request('demo.hang', {}, { signal: controller.signal });
      controller.abort();
      await expect(pending).rejects.toMatchObject({ code: ErrorCode.Cancelled });
    });

    it("aborts the peer handler's signal", async () => {
      let peerReason: Promise<unknown> | undefined;
      const { client } = connectedPair((_method, _params, context) => {
        peerReason = abortReason(context.signal);
        return never();
      });
      const controller = new AbortController();
      void client.request('demo.hang', {}, { signal: controller.signal }).catch(() => {});
      await vi.waitFor(() => expect(peerReason).toBeDefined());
      controller.abort();
      await expect(peerReason).resolves.toMatchObject({ code: ErrorCode.Cancelled });
    });

    it('makes the peer answer the request with Cancelled', async () => {
      const { client, serverSent } = connectedPair(never);
      const controller = new AbortController();
      void client.request('demo.hang', {}, { signal: controller.signal }).catch(() => {});
      await delay(5);
      controller.abort();
      await vi.waitFor(() => expect(serverSent).toContainEqual({ jsonrpc: '2.0', id: 1, error: expect.objectContaining({ code: ErrorCode.Cancelled }) }));
    });
  });

  it('fails a request with an idle Timeout when neither result nor progress arrives', async () => {
    const { client } = connectedPair(never);
    await expect(client.request('demo.hang', {}, { timeout: 50 })).rejects.toMatchObject({
      code: ErrorCode.Timeout,
      data: { capability: 'demo.hang', timeoutMs: 50, kind: 'idle' },
    });
  });

  it('restarts the idle timeout on every progress chunk', async () => {
    const { client } = connectedPair(async (_method, _params, context) => {
      for (let elapsed = 0; elapsed < 300; elapsed += 30) {
        context.progress({ elapsed });
        await delay(30);
      }
      return 'done';
    });
    await expect(client.request('demo.slow', {}, { timeout: 100 })).resolves.toBe('done');
  });

  it('restarts the idle timeout on progress where timers are plain numbers, as in browsers', async () => {
    const nodeSetTimeout = globalThis.setTimeout;
    vi.stubGlobal('setTimeout', (callback: () => void, ms?: number) => Number(nodeSetTimeout(callback, ms)));
    try {
      const { client } = connectedPair(async (_method, _params, context) => {
        for (let elapsed = 0; elapsed < 200; elapsed += 30) {
          context.progress({ elapsed });
          await delay(30);
        }
        return 'done';
      });
      await expect(client.request('demo.slow', {}, { timeout: 100 })).resolves.toBe('done');
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('fails a request with a total Timeout even while progress keeps arriving', async () => {
    const { client } = connectedPair(async (_method, _params, context) => {
      while (!context.signal.aborted) {
        context.progress('tick');
        await delay(20);
      }
    });
    await expect(client.request('demo.endless', {}, { timeout: 100, totalTimeout: 150 })).rejects.toMatchObject({
      code: ErrorCode.Timeout,
      data: { timeoutMs: 150, kind: 'total' },
    });
  });

  it('delivers progress chunks in order, before the result', async () => {
    const { client } = connectedPair((_method, _params, context) => {
      for (let index = 0; index < 5; index++) context.progress({ index });
      return 'result';
    });
    const seen: unknown[] = [];
    const result = await client.request('demo.stream', {}, { onProgress: (chunk) => seen.push(chunk) });
    seen.push(result);
    expect(seen).toEqual([{ index: 0 }, { index: 1 }, { index: 2 }, { index: 3 }, { index: 4 }, 'result']);
  });

  it('rejects pending requests with ConnectionClosed on dispose', async () => {
    const { client } = connectedPair(never);
    const pending = client.request('demo.hang', {});
    client.dispose();
    await expect(pending).rejects.toMatchObject({ code: ErrorCode.ConnectionClosed, data: { reason: 'disposed' } });
  });

  it('aborts running handlers on dispose', async () => {
    let handlerReason: Promise<unknown> | undefined;
    const { client, server } = connectedPair((_method, _params, context) => {
      handlerReason = abortReason(context.signal);
      return never();
    });
    void client.request('demo.hang', {}).catch(() => {});
    await vi.waitFor(() => expect(handlerReason).toBeDefined());
    server.dispose();
    await expect(handlerReason).resolves.toMatchObject({ code: ErrorCode.ConnectionClosed });
  });

  it('can be disposed twice and reports the close once', () => {
    const onClose = vi.fn();
    const { server } = connectedPair(never, { onClose });
    server.dispose();
    expect(() => server.dispose()).not.toThrow();
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('rejects pending requests with ConnectionClosed when the peer closes', async () => {
    const { client, server } = connectedPair(never);
    const pending = client.request('demo.hang', {});
    await delay(5);
    server.dispose();
    await expect(pending).rejects.toMatchObject({ code: ErrorCode.ConnectionClosed, data: { reason: 'peer closed' } });
  });

  it('answers a handler result JSON cannot carry with InternalError instead of leaving the caller waiting', async () => {
    const { client } = connectedPair(() => ({ size: 10n }));
    await expect(client.request('demo.big', {}, { timeout: 500 })).rejects.toMatchObject({
      code: ErrorCode.InternalError,
      data: { name: 'TypeError' },
    });
  });

  it('rejects a request whose params JSON cannot carry with a BusError and keeps nothing pending', async () => {
    const { client } = connectedPair(() => ({}));
    await expect(client.request('demo.big', { size: 10n })).rejects.toBeInstanceOf(BusError);
    expect(client.pendingCount).toBe(0);
  });

  it('answers a message with an id that is not JSON-RPC 2.0 with InvalidRequest', async () => {
    const { raw, received } = connectionWithRawPeer();
    raw.send({ id: 7, method: 'demo.echo' } as unknown as JsonRpcMessage);
    await vi.waitFor(() => expect(received).toHaveLength(1));
    expect(received[0]).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: ErrorCode.InvalidRequest } });
  });

  it('reports a response for an unknown id as a diagnostic', async () => {
    const { raw, diagnostics } = connectionWithRawPeer();
    raw.send({ jsonrpc: '2.0', id: 99, result: 'late' });
    await vi.waitFor(() => expect(diagnostics).toEqual([{ kind: 'unknown-response', id: 99 }]));
  });

  it('ignores messages the transport delivers after dispose', () => {
    let deliver: TransportHandlers | undefined;
    const transport: Transport = { start: (handlers) => (deliver = handlers), send: () => {}, close: () => {} };
    const onRequest = vi.fn(() => ({}));
    const connection = new RpcConnection(transport, { onRequest });
    connection.start();
    connection.dispose();
    deliver!.onMessage({ jsonrpc: '2.0', id: 1, method: 'demo.echo', params: {} });
    expect(onRequest).not.toHaveBeenCalled();
  });
});
