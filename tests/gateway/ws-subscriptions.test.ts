import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LogListener } from '../../kernel/src/telemetry/kernel-logs.ts';
import { echoPlugin } from '../integration/support/echo-fixture.ts';
import { authStubGateway, authStubPlugin } from './support/auth-stub-fixture.ts';
import { gatewayPerTest, startTestGateway, type TestGateway } from './support/test-gateway.ts';
import { WsTestClient } from './support/ws-test-client.ts';

describe('$/subscribe on /ws', () => {
  let gateway: TestGateway;
  let client: WsTestClient;

  beforeAll(async () => {
    gateway = await startTestGateway([echoPlugin()], { telemetryIntervalMs: 100 });
    await gateway.waitForState('echo', 'running');
  });

  beforeEach(async () => {
    client = await WsTestClient.open(`${gateway.wsUrl}/ws`);
  });

  afterEach(async () => {
    await client.close();
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('delivers events plugins publish on the topic as $/event with the subscription id', async () => {
    const subscription = await client.subscribe({ topic: 'build.done' });

    await client.request('echo.emit', { topic: 'build.done', data: { ok: true } });

    const event = await client.waitFor((message) => message.method === '$/event');
    expect(event.params).toEqual({ subscription, topic: 'build.done', source: 'echo', data: { ok: true } });
  });

  it('delivers every topic under a prefix pattern and none outside it', async () => {
    const subscription = await client.subscribe({ topic: 'build.*' });

    await client.request('echo.emit', { topic: 'test.started', data: 1 });
    await client.request('echo.emit', { topic: 'build.step.one', data: 2 });
    await client.request('echo.emit', { topic: 'build.done', data: 3 });

    await client.waitUntil(() => (client.events(subscription).length === 2 ? true : undefined), 'two events');
    expect(client.events(subscription).map((event) => event.topic)).toEqual(['build.step.one', 'build.done']);
  });

  it('delivers only the events a plugin published when plugin is given', async () => {
    const subscription = await client.subscribe({ topic: 'deploy.*', plugin: 'echo' });

    gateway.kernel.publish('deploy.kernel', { from: 'kernel' }, 'kernel');
    await client.request('echo.emit', { topic: 'deploy.echo', data: { from: 'echo' } });

    const event = await client.waitFor((message) => message.method === '$/event');
    expect(event.params).toMatchObject({ subscription, topic: 'deploy.echo', source: 'echo' });
    expect(client.events(subscription)).toHaveLength(1);
  });

  it('delivers the state changes of one plugin on kernel.plugin.state', async () => {
    const subscription = await client.subscribe({ topic: 'kernel.plugin.state', plugin: 'echo' });

    await client.request('kernel.plugins.restart', { plugin: 'echo' });

    await client.waitUntil(() => client.events(subscription).find((event) => (event.data as { to: string }).to === 'running'), 'echo running again');
    const changes = client.events(subscription).map((event) => event.data as { plugin: string; to: string });
    expect(changes.every((change) => change.plugin === 'echo')).toBe(true);
    expect(changes.map((change) => change.to)).toEqual(expect.arrayContaining(['stopping', 'stopped', 'starting', 'running']));
  });

  it('delivers telemetry samples of only the named plugin on kernel.telemetry', async () => {
    const subscription = await client.subscribe({ topic: 'kernel.telemetry', plugin: 'echo' });

    const event = await client.waitFor((message) => message.params?.subscription === subscription);

    expect(event.params).toMatchObject({ topic: 'kernel.telemetry', source: 'kernel' });
    const samples = event.params!.data as { plugin: string; pid: number }[];
    expect(samples).toHaveLength(1);
    expect(samples[0]).toMatchObject({ plugin: 'echo', pid: gateway.kernel.supervisor('echo').process!.pid });
  });

  it('delivers kernel.log records at or above the requested level', async () => {
    const subscription = await client.subscribe({ topic: 'kernel.log', plugin: 'echo', level: 'warn' });

    await client.request('echo.log', { level: 'info', msg: 'quiet line' });
    await client.request('echo.log', { level: 'warn', msg: 'loud line' });

    const event = await client.waitFor((message) => message.params?.subscription === subscription);
    expect(event.params).toMatchObject({ topic: 'kernel.log', source: 'kernel', data: { plugin: 'echo', level: 'warn', msg: 'loud line' } });
    expect(client.events(subscription)).toHaveLength(1);
  });

  it('stops delivering a subscription after $/unsubscribe', async () => {
    const dropped = await client.subscribe({ topic: 'news.*' });
    const kept = await client.subscribe({ topic: 'news.*' });

    expect((await client.request('$/unsubscribe', { subscription: dropped })).result).toEqual({});
    await client.request('echo.emit', { topic: 'news.flash', data: 1 });

    await client.waitUntil(() => client.events(kept)[0], 'the event on the kept subscription');
    expect(client.events(dropped)).toEqual([]);
  });

  it.each([
    ['a missing topic', {}],
    ['a topic with a space', { topic: 'build done' }],
    ['a star inside a topic', { topic: 'build.*.done' }],
    ['an unknown plugin', { topic: 'kernel.log', plugin: 'nobody' }],
    ['a level on a topic other than kernel.log', { topic: 'build.done', level: 'warn' }],
    ['an unknown level', { topic: 'kernel.log', level: 'loud' }],
    ['an unknown param', { topic: 'build.done', topics: ['x'] }],
  ])('answers InvalidParams for %s', async (_what, params) => {
    const response = await client.request('$/subscribe', params);

    expect(response.error).toMatchObject({ code: -32602, data: { method: '$/subscribe' } });
  });
});

describe('$/subscribe access and cleanup', () => {
  const open = gatewayPerTest();

  it('answers Forbidden when no access rule lets the user subscribe, and Unauthenticated without a credential', async () => {
    const { wsUrl } = await open([authStubPlugin()], { gateway: authStubGateway() });
    const viewer = await WsTestClient.open(`${wsUrl}/ws`, { headers: { authorization: 'Bearer viewer-key' } });
    const anonymous = await WsTestClient.open(`${wsUrl}/ws`);

    const forbidden = await viewer.request('$/subscribe', { topic: 'kernel.plugin.state' });
    const unauthenticated = await anonymous.request('$/subscribe', { topic: 'kernel.plugin.state' });

    expect(forbidden.error?.code).toBe(-32008);
    expect(unauthenticated.error?.code).toBe(-32012);
    await Promise.all([viewer.close(), anonymous.close()]);
  });

  it('removes every topic subscriber and log listener of a socket when it closes', async () => {
    const { wsUrl, kernel } = await open([echoPlugin({ activation: 'lazy' })]);
    let logListeners = 0;
    const onRecord = kernel.logs.onRecord.bind(kernel.logs);
    kernel.logs.onRecord = (listener: LogListener) => {
      logListeners += 1;
      const off = onRecord(listener);
      let removed = false;
      return () => {
        if (!removed) logListeners -= 1;
        removed = true;
        off();
      };
    };
    const client = await WsTestClient.open(`${wsUrl}/ws`);
    await client.subscribe({ topic: 'leak.*' });
    await client.subscribe({ topic: 'leak.exact' });
    await client.subscribe({ topic: 'kernel.log' });
    expect(kernel.topics.publish('leak.exact', null, 'test')).toBe(2);
    expect(logListeners).toBe(1);

    await client.close();

    await vi.waitFor(() => expect(kernel.topics.publish('leak.exact', null, 'test')).toBe(0));
    expect(logListeners).toBe(0);
  });
});
