import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, type BusError, type EventParams } from '@cyberstudio/sdk';
import type { StateChange } from '../../kernel/src/index.ts';
import { echoPlugin, helloPlugin } from './support/echo-fixture.ts';
import { startTestKernel, type TestKernel } from './support/test-kernel.ts';

describe('publish and subscribe', () => {
  let test: TestKernel;

  beforeAll(async () => {
    test = await startTestKernel([
      echoPlugin(),
      helloPlugin,
    ]);
    await test.waitForState('echo', 'running');
  });

  afterAll(async () => {
    await test?.close();
  });

  /** Events echo has received on topics starting with `prefix`, in arrival order. */
  async function eventsOf(prefix: string): Promise<EventParams[]> {
    const { events } = (await test.kernel.call('echo.events')) as { events: EventParams[] };
    return events.filter((event) => event.topic.startsWith(prefix));
  }

  /** Waits until echo has received an event on `topic`. */
  async function untilReceived(topic: string): Promise<void> {
    await expect.poll(async () => (await eventsOf(topic)).some((event) => event.topic === topic), { timeout: 3000, interval: 10 }).toBe(true);
  }

  it('delivers a kernel publication to a plugin subscribed to a matching pattern', async () => {
    await test.kernel.call('echo.subscribe', { topic: 'news.*' });

    test.kernel.publish('news.a', { headline: 'kernel ships' });

    await untilReceived('news.a');
    expect(await eventsOf('news.')).toEqual([{ topic: 'news.a', data: { headline: 'kernel ships' }, source: 'kernel' }]);
  });

  it('matches a prefix pattern one or more segments deep, but not the bare prefix or a longer word', async () => {
    await test.kernel.call('echo.subscribe', { topic: 'sports.*' });

    for (const topic of ['sports', 'sportsfan.a', 'sports.a.b', 'sports.b', 'sports.end']) test.kernel.publish(topic, null);

    await untilReceived('sports.end');
    expect((await eventsOf('sports')).map((event) => event.topic)).toEqual(['sports.a.b', 'sports.b', 'sports.end']);
  });

  it('stops delivering a topic after the plugin unsubscribes from it', async () => {
    await test.kernel.call('echo.subscribe', { topic: 'weather.*' });
    await test.kernel.call('echo.subscribe', { topic: 'marker.weather' });
    test.kernel.publish('weather.monday', 'sun');
    await untilReceived('weather.monday');

    await test.kernel.call('echo.unsubscribe', { topic: 'weather.*' });
    test.kernel.publish('weather.tuesday', 'rain');
    test.kernel.publish('marker.weather', null);

    await untilReceived('marker.weather');
    expect((await eventsOf('weather.')).map((event) => event.topic)).toEqual(['weather.monday']);
  });

  it.each(['bad topic', 'news.*.late', 'a*b'])('answers a subscription to the malformed pattern %j with InvalidParams', async (topic) => {
    const outcome = await test.kernel.call('echo.subscribe', { topic }).then(
      (result) => ({ accepted: result }),
      (failure: BusError) => ({ code: failure.code }),
    );

    expect(outcome).toEqual({ code: ErrorCode.InvalidParams });
    expect(test.kernel.topics.patternsOf('plugin:echo')).not.toContain(topic);
  });

  it('delivers a plugin publication to a kernel-side subscriber with the plugin as source', async () => {
    const received: { topic: string; data: unknown; source: string }[] = [];
    test.kernel.topics.subscribe('test-chat', 'chat.*', (topic, data, source) => received.push({ topic, data, source }));

    await test.kernel.call('echo.emit', { topic: 'chat.message', data: { text: 'hi' } });

    await expect.poll(() => received, { timeout: 3000, interval: 10 }).toEqual([{ topic: 'chat.message', data: { text: 'hi' }, source: 'echo' }]);
    test.kernel.topics.removeSubscriber('test-chat');
  });

  it('delivers a plugin publication back to the publisher when it subscribed', async () => {
    await test.kernel.call('echo.subscribe', { topic: 'loop.*' });

    await test.kernel.call('echo.emit', { topic: 'loop.self', data: 1 });

    await untilReceived('loop.self');
    expect(await eventsOf('loop.')).toEqual([{ topic: 'loop.self', data: 1, source: 'echo' }]);
  });

  it('publishes kernel.plugin.state on every lifecycle transition of a plugin', async () => {
    const changes: StateChange[] = [];
    test.kernel.topics.subscribe('test-states', 'kernel.plugin.state', (_topic, data) => changes.push(data as StateChange));

    await test.kernel.call('hello.echo', {});
    await test.kernel.call('kernel.plugins.stop', { plugin: 'hello' });

    await expect
      .poll(() => changes.filter((change) => change.plugin === 'hello').map((change) => `${change.from}->${change.to}`), { timeout: 5000, interval: 10 })
      .toEqual(['stopped->starting', 'starting->running', 'running->stopping', 'stopping->stopped']);
    for (const change of changes) {
      expect(change.reason).toEqual(expect.any(String));
      expect(change.reason.length).toBeGreaterThan(0);
      expect(change.time).toBeGreaterThan(test.kernel.startedAt - 1);
    }
    test.kernel.topics.removeSubscriber('test-states');
  });

  it('delivers kernel.plugin.state events to a subscribed plugin with the kernel as source', async () => {
    await test.kernel.call('echo.subscribe', { topic: 'kernel.plugin.state' });

    await test.kernel.call('kernel.plugins.restart', { plugin: 'hello' });

    await expect
      .poll(async () => (await eventsOf('kernel.plugin.state')).filter((event) => (event.data as StateChange).plugin === 'hello').map((event) => [event.source, (event.data as StateChange).to]), { timeout: 5000, interval: 10 })
      .toEqual(expect.arrayContaining([['kernel', 'starting'], ['kernel', 'running']]));
  });
});
