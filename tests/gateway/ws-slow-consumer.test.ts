import type { Socket } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { echoPlugin } from '../integration/support/echo-fixture.ts';
import { gatewayPerTest, type TestGateway } from './support/test-gateway.ts';
import { WsTestClient } from './support/ws-test-client.ts';

const open = gatewayPerTest();

/** The value of a gateway metric for `endpoint` (0 when it has none yet). */
async function metric(gateway: TestGateway, name: string, endpoint = '/ws'): Promise<number> {
  const { values } = await gateway.gateway.context.metrics.registry.getSingleMetric(name)!.get();
  return values.find((value) => value.labels.endpoint === endpoint)?.value ?? 0;
}

/** The TCP socket under a ws client: pausing it makes a client that stops reading. */
function tcpOf(client: WsTestClient): Socket {
  return (client.socket as unknown as { _socket: Socket })._socket;
}

describe('slow WebSocket consumers', () => {
  it('keeps at most wsEventBuffer events for a client that stops reading, and reports the dropped ones when it reads again', async () => {
    const eventBuffer = 50;
    const gateway = await open([], { gateway: { limits: { wsEventBuffer: eventBuffer } } });
    const client = await WsTestClient.open(`${gateway.wsUrl}/ws`);
    const subscription = await client.subscribe({ topic: 'noise.*' });
    tcpOf(client).pause();

    // A noisy publisher floods 16 KiB events until the gateway has had to drop some.
    const payload = 'x'.repeat(16 * 1024);
    let published = 0;
    const queued: number[] = [];
    while (published < 20_000 && (await metric(gateway, 'cyberstudio_gateway_websocket_events_dropped_total')) === 0) {
      for (let i = 0; i < 100; i++) gateway.kernel.publish('noise.tick', { n: published++, payload }, 'test');
      queued.push(await metric(gateway, 'cyberstudio_gateway_websocket_queued_events'));
      await nextTurn();
    }
    for (let i = 0; i < 200; i++) gateway.kernel.publish('noise.tick', { n: published++, payload }, 'test');
    queued.push(await metric(gateway, 'cyberstudio_gateway_websocket_queued_events'));

    expect(Math.max(...queued)).toBe(eventBuffer);
    tcpOf(client).resume();
    const total = published;
    await client.waitUntil(() => {
      const events = client.events(subscription);
      return events.length + events.reduce((sum, event) => sum + (event.dropped ?? 0), 0) === total ? true : undefined;
    }, 'every event delivered or reported dropped');
    const events = client.events(subscription);
    expect(events.some((event) => (event.dropped ?? 0) > 0)).toBe(true);
    // Each `dropped` is exactly the gap before its event: nothing vanished unreported.
    let previous = -1;
    for (const event of events) {
      const n = (event.data as { n: number }).n;
      expect(n - previous - 1).toBe(event.dropped ?? 0);
      previous = n;
    }
    expect(previous).toBe(total - 1);
  });

  it('closes with 1008 "client too slow" a client that leaves more than wsMaxBufferedBytes of responses unread, cancelling its calls', async () => {
    const gateway = await open([echoPlugin()], { gateway: { limits: { wsMaxBufferedBytes: 65_536 } } });
    await gateway.waitForState('echo', 'running');
    const client = await WsTestClient.open(`${gateway.wsUrl}/ws`);
    client.send({ jsonrpc: '2.0', id: 'victim', method: 'echo.slow', params: { ms: 60_000, id: 'victim' } });
    await vi.waitFor(() => expect(gateway.kernel.bus.load('echo').active).toBe(1), { timeout: 10_000 });
    tcpOf(client).pause();

    // 256 KiB answers until the socket and the gateway's queue are full; each round waits until its calls are answered.
    const big = 'y'.repeat(256 * 1024);
    const slowCloses = () => metric(gateway, 'cyberstudio_gateway_websocket_slow_closes_total');
    for (let round = 1; round <= 100 && (await slowCloses()) === 0; round++) {
      for (let i = 0; i < 4; i++) client.send({ jsonrpc: '2.0', id: `big-${round}-${i}`, method: 'echo.echo', params: { big } });
      await vi.waitFor(async () => expect(gateway.kernel.metrics.counters('echo').calls >= 4 * round || (await slowCloses()) > 0).toBe(true), { timeout: 10_000 });
    }

    expect(await metric(gateway, 'cyberstudio_gateway_websocket_slow_closes_total')).toBe(1);
    await vi.waitFor(async () => {
      const { aborts } = (await gateway.kernel.call('echo.aborts')) as { aborts: { id: string }[] };
      expect(aborts.map((abort) => abort.id)).toContain('victim');
    }, { timeout: 10_000 });
    tcpOf(client).resume();
    expect(await client.closed).toEqual({ code: 1008, reason: 'client too slow' });
  });

  it('terminates a client that does not answer pings, and keeps one that does', async () => {
    const gateway = await open([], { gateway: { limits: { heartbeatSeconds: 1 } } });
    const silent = await WsTestClient.open(`${gateway.wsUrl}/ws`, { autoPong: false });
    const lively = await WsTestClient.open(`${gateway.wsUrl}/ws`);

    const closed = await silent.closed;

    expect(closed.code).toBe(1006);
    expect((await lively.request('$/ping')).result).toEqual({});
    await lively.close();
  });
});
