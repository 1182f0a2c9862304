import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../kernel/src/telemetry/log-record.ts';
import { echoPlugin } from '../integration/support/echo-fixture.ts';
import { fixture } from '../integration/support/test-kernel.ts';
import { authStubGateway, authStubPlugin } from './support/auth-stub-fixture.ts';
import { gatewayPerTest, type TestGateway } from './support/test-gateway.ts';
import { WsTestClient, refusedUpgrade } from './support/ws-test-client.ts';

const open = gatewayPerTest();

interface StreamMessage {
  type: 'log' | 'telemetry' | 'status';
  record?: LogRecord;
  sample?: { plugin: string; pid: number | null };
  plugin?: { name: string; state: string; pid: number | null; restarts: number };
  change?: { to: string };
  dropped?: number;
}

const noisyPlugin = (config: object) => ({ name: 'noisy', entrypoint: fixture('noisy/main.mjs'), activation: 'startup', capabilities: ['noisy.flood', 'noisy.ping'], config });
const messagesOf = (client: WsTestClient) => client.messages as StreamMessage[];

async function echoRunning(gateway: TestGateway): Promise<TestGateway> {
  await gateway.waitForState('echo', 'running');
  return gateway;
}

describe('WS /ws/plugins/:id/...', () => {
  it('refuses a stream of an unknown plugin with 404', async () => {
    const { wsUrl } = await open([echoPlugin({ activation: 'lazy' })]);

    expect((await refusedUpgrade(`${wsUrl}/ws/plugins/nobody/logs`)).status).toBe(404);
  });

  it.each([
    ['a rejected key', { authorization: 'Bearer wrong-key' }, 401],
    ['no credential', {}, 401],
    ['a user whose roles may not call the matching kernel.plugins capability', { authorization: 'Bearer viewer-key' }, 403],
  ])('refuses a stream to %s', async (_who, headers, status) => {
    const { wsUrl } = await open([authStubPlugin(), echoPlugin({ activation: 'lazy' })], { gateway: authStubGateway(['kernel.plugins.get']) });

    expect((await refusedUpgrade(`${wsUrl}/ws/plugins/echo/logs`, headers)).status).toBe(status);
  });

  it('opens a stream for a user whose roles may call the matching capability', async () => {
    const { wsUrl } = await open([authStubPlugin(), echoPlugin({ activation: 'lazy' })], { gateway: authStubGateway(['kernel.plugins.get']) });

    const client = await WsTestClient.open(`${wsUrl}/ws/plugins/echo/status`, { headers: { authorization: 'Bearer viewer-key' } });

    expect((await client.waitUntil(() => messagesOf(client)[0], 'the first status')).type).toBe('status');
    await client.close();
  });

  it('refuses a logs stream with an unknown level with 400', async () => {
    const { wsUrl } = await open([echoPlugin({ activation: 'lazy' })]);

    expect((await refusedUpgrade(`${wsUrl}/ws/plugins/echo/logs?level=loud`)).status).toBe(400);
  });

  it('sends the matching recent log records first, then live ones, filtered by level and text', async () => {
    const gateway = await echoRunning(await open([echoPlugin()]));
    for (const [level, msg] of [['info', 'alpha one'], ['warn', 'alpha two'], ['warn', 'beta three']]) await gateway.kernel.call('echo.log', { level, msg });

    const client = await WsTestClient.open(`${gateway.wsUrl}/ws/plugins/echo/logs?level=warn&q=ALPHA`);
    await gateway.kernel.call('echo.log', { level: 'info', msg: 'alpha five' });
    await gateway.kernel.call('echo.log', { level: 'error', msg: 'alpha four' });

    await client.waitUntil(() => messagesOf(client).find((message) => message.record?.msg === 'alpha four'), 'the live record');
    expect(messagesOf(client).map((message) => [message.type, message.record?.level, message.record?.msg])).toEqual([
      ['log', 'warn', 'alpha two'],
      ['log', 'error', 'alpha four'],
    ]);
    await client.close();
  });

  it('sends telemetry samples of that plugin only', async () => {
    const gateway = await echoRunning(await open([echoPlugin(), noisyPlugin({})], { telemetryIntervalMs: 100 }));

    const client = await WsTestClient.open(`${gateway.wsUrl}/ws/plugins/echo/telemetry`);

    await client.waitUntil(() => (messagesOf(client).length >= 3 ? true : undefined), 'three samples');
    for (const message of messagesOf(client)) expect(message).toMatchObject({ type: 'telemetry', sample: { plugin: 'echo' } });
    expect(messagesOf(client).at(-1)!.sample!.pid).toBe(gateway.kernel.supervisor('echo').process!.pid);
    await client.close();
  });

  it('sends the plugin status first, then a status for each state change', async () => {
    const gateway = await echoRunning(await open([echoPlugin()]));
    const client = await WsTestClient.open(`${gateway.wsUrl}/ws/plugins/echo/status`);
    const first = await client.waitUntil(() => messagesOf(client)[0], 'the first status');

    await gateway.kernel.call('kernel.plugins.restart', { plugin: 'echo' });

    expect(first).toEqual({ type: 'status', plugin: expect.objectContaining({ name: 'echo', state: 'running', pid: expect.any(Number), restarts: 0, lastError: null }) });
    await client.waitUntil(() => messagesOf(client).find((message) => message.change?.to === 'running'), 'running again');
    const changes = messagesOf(client).slice(1);
    expect(changes.map((message) => message.change?.to)).toEqual(['stopping', 'stopped', 'starting', 'running']);
    expect(changes.map((message) => message.plugin?.state)).toEqual(['stopping', 'stopped', 'starting', 'running']);
    expect(changes.at(-1)!.plugin!.pid).not.toBe(first.plugin!.pid);
    await client.close();
  });

  it('drops the oldest log records for a client that stops reading and reports each gap in the next record', async () => {
    const eventBuffer = 20;
    const gateway = await open([noisyPlugin({ logEvery: 0, padBytes: 2000 })], { gateway: { limits: { wsEventBuffer: eventBuffer } } });
    await gateway.waitForState('noisy', 'running');
    const seqs = gateway.kernel.logs.recent('noisy', 100).map((record) => record.seq);
    gateway.kernel.logs.onRecord((record) => {
      if (record.plugin === 'noisy') seqs.push(record.seq);
    });
    const client = await WsTestClient.open(`${gateway.wsUrl}/ws/plugins/noisy/logs`);
    await client.waitUntil(() => (messagesOf(client).length === seqs.length ? true : undefined), 'the tail');
    const tcp = (client.socket as unknown as { _socket: Socket })._socket;
    tcp.pause();

    const metric = async (name: string) => (await gateway.gateway.context.metrics.registry.getSingleMetric(name)!.get()).values.find((value) => value.labels.endpoint === '/ws/plugins')?.value ?? 0;
    const queued: number[] = [];
    for (let round = 0; round < 20 && (await metric('cyberstudio_gateway_websocket_events_dropped_total')) === 0; round++) {
      await gateway.kernel.call('noisy.flood', { lines: 1000 });
      queued.push(await metric('cyberstudio_gateway_websocket_queued_events'));
    }

    expect(Math.max(...queued)).toBeLessThanOrEqual(eventBuffer);
    tcp.resume();
    await client.waitUntil(() => {
      const messages = messagesOf(client);
      return messages.length + messages.reduce((sum, message) => sum + (message.dropped ?? 0), 0) === seqs.length ? true : undefined;
    }, 'every record delivered or reported dropped');
    expect(messagesOf(client).some((message) => (message.dropped ?? 0) > 0)).toBe(true);
    let index = -1;
    for (const message of messagesOf(client)) {
      const next = seqs.indexOf(message.record!.seq);
      expect(next - index - 1).toBe(message.dropped ?? 0);
      index = next;
    }
  });
});
