import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { GatewayConnection } from '../../src/client/index.ts';
import { BusError } from '../../src/protocol/bus-error.ts';
import { ErrorCode } from '../../src/protocol/error-codes.ts';
import { TestGateway } from './test-gateway.ts';

let gateway: TestGateway;
let connection: GatewayConnection;

beforeEach(async () => {
  gateway = await TestGateway.start();
  connection = await GatewayConnection.open(new WebSocket(gateway.url));
});

afterEach(async () => {
  await connection.close();
  await gateway.close();
});

const rejection = (promise: Promise<unknown>) => promise.then(() => { throw new Error('resolved'); }, (error: unknown) => error as BusError);

describe('GatewayConnection', () => {
  it('resolves a request with the result the server answers', async () => {
    await expect(connection.request('echo', { text: 'hi' })).resolves.toEqual({ text: 'hi' });
  });

  it('hands each $/progress chunk to onProgress, in order, before the result', async () => {
    const chunks: unknown[] = [];
    const result = await connection.request('stream', { count: 3 }, { onProgress: (chunk) => chunks.push(chunk) });
    expect(chunks).toEqual([{ index: 0 }, { index: 1 }, { index: 2 }]);
    expect(result).toEqual({ sent: 3 });
  });

  it('rejects with a BusError carrying the code, message and data of an error answer', async () => {
    const error = await rejection(connection.request('fail'));
    expect(error).toBeInstanceOf(BusError);
    expect({ code: error.code, message: error.message, data: error.data }).toEqual({ code: ErrorCode.Unauthenticated, message: 'no credential', data: { reason: 'missing' } });
  });

  it('sends $/cancelRequest with the request id on abort and rejects with Cancelled', async () => {
    const controller = new AbortController();
    const pending = connection.request('hang', {}, { signal: controller.signal });
    await waitFor(() => gateway.frames('hang').length === 1);
    controller.abort();
    expect((await rejection(pending)).code).toBe(ErrorCode.Cancelled);
    await waitFor(() => gateway.frames('$/cancelRequest').length === 1);
    expect(gateway.frames('$/cancelRequest')[0]!.params).toEqual({ id: gateway.frames('hang')[0]!.id });
  });

  it('cancels the request and rejects with Timeout when no answer comes within timeout', async () => {
    const error = await rejection(connection.request('hang', {}, { timeout: 50 }));
    expect(error.code).toBe(ErrorCode.Timeout);
    await waitFor(() => gateway.frames('$/cancelRequest').length === 1);
  });

  it('does not send a request whose signal is already aborted', async () => {
    const error = await rejection(connection.request('echo', {}, { signal: AbortSignal.abort() }));
    expect(error.code).toBe(ErrorCode.Cancelled);
    await connection.request('echo');
    expect(gateway.received.map((frame) => frame.method)).toEqual(['echo']);
  });

  it('delivers $/event notifications to onEvent listeners', async () => {
    const events: unknown[] = [];
    connection.onEvent((event) => events.push(event));
    await connection.request('$/subscribe', { topic: 'kernel.log' });
    await waitFor(() => events.length === 1);
    expect(events[0]).toEqual({ subscription: 's1', topic: 'kernel.log', source: 'kernel', data: { n: 1 } });
  });

  it('rejects pending requests with ConnectionClosed naming the reason when the server closes, and says so on closed', async () => {
    const closes: unknown[] = [];
    connection.onClose((event) => closes.push({ code: event.code, reason: event.reason }));
    const pending = connection.request('hang');
    await waitFor(() => gateway.frames('hang').length === 1);
    gateway.dropAll(1011, 'kernel stopping');
    const error = await rejection(pending);
    expect(error.code).toBe(ErrorCode.ConnectionClosed);
    expect(error.message).toContain('kernel stopping');
    await connection.closed;
    expect(connection.closeReason?.code).toBe(ErrorCode.ConnectionClosed);
    expect(closes).toEqual([{ code: 1011, reason: 'kernel stopping' }]);
    expect((await rejection(connection.request('echo'))).code).toBe(ErrorCode.ConnectionClosed);
  });

  it('rejects pending requests with ConnectionClosed on close(), which is safe to call twice', async () => {
    const failed = rejection(connection.request('hang'));
    await waitFor(() => gateway.frames('hang').length === 1);
    await connection.close();
    await connection.close();
    expect((await failed).code).toBe(ErrorCode.ConnectionClosed);
    expect(connection.isOpen).toBe(false);
  });

  it('closes on Symbol.asyncDispose', async () => {
    {
      await using disposable = await GatewayConnection.open(new WebSocket(gateway.url));
      await disposable.request('echo');
    }
    await waitFor(() => gateway.sockets.filter((socket) => socket.readyState === WebSocket.OPEN).length === 1);
  });

  it('rejects open() with ConnectionClosed when nothing listens at the URL', async () => {
    const url = gateway.url;
    await gateway.close();
    const error = await rejection(GatewayConnection.open(new WebSocket(url)));
    expect(error.code).toBe(ErrorCode.ConnectionClosed);
    gateway = await TestGateway.start();
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
