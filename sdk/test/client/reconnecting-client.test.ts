import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ReconnectingClient, type ConnectionState, type TopicEvent } from '../../src/client/index.ts';
import type { BusError } from '../../src/protocol/bus-error.ts';
import { ErrorCode } from '../../src/protocol/error-codes.ts';
import { TestGateway } from './test-gateway.ts';

let gateway: TestGateway;
let client: ReconnectingClient;
let states: Array<ConnectionState['status']>;

beforeEach(async () => {
  gateway = await TestGateway.start();
  states = [];
  client = new ReconnectingClient({ connect: () => new WebSocket(gateway.url), firstRetryMs: 20, maxRetryMs: 40, connectWaitMs: 2000 });
  client.onStateChange((state) => states.push(state.status));
});

afterEach(async () => {
  await client.close();
  await gateway.close();
});

const rejection = (promise: Promise<unknown>) => promise.then(() => { throw new Error('resolved'); }, (error: unknown) => error as BusError);

describe('ReconnectingClient', () => {
  it('waits for the first connection before sending a call, then answers it', async () => {
    await expect(client.call('echo', { a: 1 })).resolves.toEqual({ a: 1 });
    expect(client.connectionState).toEqual({ status: 'connected' });
  });

  it('reconnects after the server drops the socket, subscribes again and tells onReconnect', async () => {
    const events: TopicEvent[] = [];
    let active = 0;
    let reconnects = 0;
    let disconnects = 0;
    client.onReconnect(() => reconnects++);
    client.onDisconnect(() => disconnects++);
    client.subscribe({ topic: 'kernel.log' }, (event) => events.push(event), undefined, () => active++);
    await waitFor(() => events.length === 1);
    gateway.dropAll();
    await waitFor(() => events.length === 2);
    expect(events.map((event) => event.data)).toEqual([{ n: 1 }, { n: 2 }]);
    expect({ active, reconnects, disconnects }).toEqual({ active: 2, reconnects: 1, disconnects: 1 });
    expect(gateway.frames('$/subscribe')).toHaveLength(2);
    expect(states).toContain('reconnecting');
    expect(states.at(-1)).toBe('connected');
  });

  it('delivers an event that arrives together with its subscription\'s confirmation', async () => {
    gateway.eventsWithConfirmation = true;
    const events: TopicEvent[] = [];
    let activeBeforeEvent = false;
    let active = false;
    client.subscribe({ topic: 'kernel.log' }, (event) => {
      activeBeforeEvent = active;
      events.push(event);
    }, undefined, () => (active = true));
    await waitFor(() => events.length === 1, 1000);
    expect(events[0]!.data).toEqual({ n: 1 });
    expect(activeBeforeEvent).toBe(true);
  });

  it('fails a call in flight with ConnectionClosed when the socket drops', async () => {
    await client.call('echo');
    const failed = rejection(client.call('hang'));
    await waitFor(() => gateway.frames('hang').length === 1);
    gateway.dropAll(1011, 'gone');
    expect((await failed).code).toBe(ErrorCode.ConnectionClosed);
  });

  it('tells onAuthLost and stops retrying when the gateway closes for a credential no longer valid', async () => {
    const reasons: string[] = [];
    client.onAuthLost((reason) => reasons.push(reason));
    await client.call('echo');
    gateway.dropAll(1008, 'credential no longer valid');
    await waitFor(() => reasons.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(reasons).toEqual(['credential no longer valid']);
    expect(gateway.sockets).toHaveLength(0);
  });

  it('says it is closed once the credential is gone, and fails a call at once with Unauthenticated instead of waiting for a reconnect', async () => {
    await client.call('echo');
    gateway.dropAll(1008, 'credential no longer valid');
    await waitFor(() => client.connectionState.status === 'closed');

    const started = Date.now();
    const failure = await rejection(client.call('echo'));

    expect(failure.code).toBe(ErrorCode.Unauthenticated);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('tells onAuthLost when a call is answered Unauthenticated', async () => {
    const reasons: string[] = [];
    client.onAuthLost((reason) => reasons.push(reason));
    expect((await rejection(client.call('fail'))).code).toBe(ErrorCode.Unauthenticated);
    expect(reasons).toEqual(['no credential']);
  });

  it('unsubscribes on dispose and delivers no further events', async () => {
    const events: TopicEvent[] = [];
    const subscription = client.subscribe({ topic: 'kernel.log' }, (event) => events.push(event));
    await waitFor(() => events.length === 1);
    subscription.dispose();
    await waitFor(() => gateway.frames('$/unsubscribe').length === 1);
    expect(gateway.frames('$/unsubscribe')[0]!.params).toEqual({ subscription: 's1' });
    gateway.broadcast({ jsonrpc: '2.0', method: '$/event', params: { subscription: 's1', topic: 'kernel.log', source: 'kernel', data: {} } });
    await client.call('echo');
    expect(events).toHaveLength(1);
  });

  it('ends in the closed state on close(), failing calls with ConnectionClosed; close() is safe twice', async () => {
    await client.call('echo');
    const failed = rejection(client.call('hang'));
    await waitFor(() => gateway.frames('hang').length === 1);
    await client.close();
    await client.close();
    expect((await failed).code).toBe(ErrorCode.ConnectionClosed);
    expect(client.connectionState).toEqual({ status: 'closed' });
    expect((await rejection(client.call('echo'))).code).toBe(ErrorCode.ConnectionClosed);
  });

  it('fails a call made while the kernel cannot be reached after connectWaitMs', async () => {
    await client.close();
    const url = gateway.url;
    await gateway.close();
    client = new ReconnectingClient({ connect: () => new WebSocket(url), firstRetryMs: 20, maxRetryMs: 40, connectWaitMs: 150 });
    const started = Date.now();
    const error = await rejection(client.call('echo'));
    expect(error.code).toBe(ErrorCode.ConnectionClosed);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(client.connectionState.status).toBe('reconnecting');
    gateway = await TestGateway.start();
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
