import { describe, expect, it } from 'vitest';
import { gatewayPerTest } from '../gateway/support/test-gateway.ts';
import { fixture } from './support/test-kernel.ts';

const open = gatewayPerTest({ start: false });

const slowInit = (delayMs: number) => ({
  name: 'sleepy', entrypoint: fixture('slow-init/main.mjs'), activation: 'startup', required: true, capabilities: ['slowinit.ping'],
  env: { FIXTURE_INIT_DELAY_MS: String(delayMs) },
});

async function get(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

describe('readiness', () => {
  it('answers /health 200 with status starting and ready false while a startup plugin is still starting', async () => {
    const gw = await open([slowInit(1500)]);
    const starting = gw.kernel.start();
    await gw.waitForState('sleepy', 'starting');

    const live = await get(`${gw.url}/health`);
    const ready = await get(`${gw.url}/health/ready`);

    expect([live.status, live.body.status, live.body.ready]).toEqual([200, 'starting', false]);
    expect([ready.status, ready.body.ready]).toEqual([503, false]);
    await starting;
  });

  it('answers /health/ready 200 with ready true once every startup plugin is running', async () => {
    const gw = await open([slowInit(500)]);
    await gw.kernel.start();

    const live = await get(`${gw.url}/health`);
    const ready = await get(`${gw.url}/health/ready`);

    expect([live.status, live.body.status, live.body.ready]).toEqual([200, 'ok', true]);
    expect([ready.status, ready.body.status]).toEqual([200, 'ok']);
  });

  it('stays not ready after start when a startup plugin failed to start', async () => {
    const crasher = { name: 'crasher', entrypoint: fixture('crash-on-start/main.mjs'), activation: 'startup', capabilities: ['crasher.x'], restart: { policy: 'never' } };
    const gw = await open([crasher]);
    await gw.kernel.start();

    const ready = await get(`${gw.url}/health/ready`);

    expect([ready.status, ready.body.status, ready.body.ready]).toEqual([503, 'degraded', false]);
  });
});
