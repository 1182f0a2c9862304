import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@cyberstudio/sdk';
import { rejectionOf } from './support/assertions.ts';
import { echoPlugin, helloPlugin } from './support/echo-fixture.ts';
import { startTestKernel, type TestKernel } from './support/test-kernel.ts';

describe('capability calls', () => {
  let test: TestKernel;

  beforeAll(async () => {
    test = await startTestKernel([
      echoPlugin({
        permissions: { call: ['hello.*', 'echo.whoami', 'echo.stream'] },
        limits: { capabilityTimeouts: { 'echo.slow': 0.3, 'echo.stream': 0.3 } },
      }),
      helloPlugin,
    ]);
    await test.waitForState('echo', 'running');
  });

  afterAll(async () => {
    await test?.close();
  });

  it('returns the provider result for a call from the kernel', async () => {
    const params = { text: 'hi', list: [1, 2, 3], nested: { ok: true } };

    await expect(test.kernel.call('echo.echo', params)).resolves.toEqual(params);
  });

  it('gives the provider a _meta with the kernel as caller, a 32-hex trace id and a future deadline', async () => {
    const before = Date.now();

    const meta = (await test.kernel.call('echo.whoami')) as { caller: unknown; traceId: string; deadline: number };

    expect(meta.caller).toEqual({ kind: 'kernel' });
    expect(meta.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(meta.deadline).toBeGreaterThan(before);
  });

  it('passes a user caller and the given trace id through to the provider', async () => {
    const caller = { kind: 'user' as const, id: 'u_1', roles: ['admin'] };
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';

    const meta = await test.kernel.call('echo.whoami', {}, { caller, traceId });

    expect(meta).toMatchObject({ caller, traceId });
  });

  it('replaces a _meta smuggled into params with the kernel one', async () => {
    const forged = { caller: { kind: 'user', id: 'mallory', roles: ['admin'] }, traceId: 'f'.repeat(32), deadline: 1 };

    const meta = (await test.kernel.call('echo.whoami', { _meta: forged })) as { caller: unknown; traceId: string; deadline: number };

    expect(meta.caller).toEqual({ kind: 'kernel' });
    expect(meta.traceId).not.toBe(forged.traceId);
    expect(meta.deadline).toBeGreaterThan(Date.now());
  });

  it('answers a capability nobody provides with CapabilityNotFound naming it', async () => {
    const error = await rejectionOf(test.kernel.call('nobody.here', {}));

    expect(error.code).toBe(ErrorCode.CapabilityNotFound);
    expect(error.data).toEqual({ capability: 'nobody.here' });
  });

  it("rejects params that break the provider's published schema with -32007 listing the violations, without calling the provider", async () => {
    await test.kernel.call('hello.echo', {});
    const callsBefore = test.kernel.metrics.counters('hello').calls;

    const error = await rejectionOf(test.kernel.call('hello.stream', { count: 'x' }));

    expect(error.code).toBe(ErrorCode.CapabilityInvalidParams);
    expect(error.data).toMatchObject({ capability: 'hello.stream', errors: [expect.objectContaining({ instancePath: '/count', keyword: 'type' })] });
    expect(test.kernel.metrics.counters('hello').calls).toBe(callsBefore);
  });

  it("routes a plugin's call to another plugin and returns that plugin's result", async () => {
    const params = { text: 'across the bus', n: 7 };

    await expect(test.kernel.call('echo.call', { capability: 'hello.echo', params })).resolves.toEqual(params);
  });

  it('tells the provider that the caller of a bus call is the calling plugin', async () => {
    const meta = (await test.kernel.call('echo.call', { capability: 'echo.whoami' })) as { caller: unknown };

    expect(meta.caller).toEqual({ kind: 'plugin', name: 'echo' });
  });

  it("carries the outer call's trace id through a plugin-to-plugin hop", async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';

    const meta = (await test.kernel.call('echo.call', { capability: 'echo.whoami' }, { traceId })) as { traceId: string };

    expect(meta.traceId).toBe(traceId);
  });

  it("uses a calling plugin's _meta.timeoutMs as the idle timeout instead of the provider's capability timeout", async () => {
    // echo.stream's own idle timeout is 0.3 s; 500 ms between chunks passes only under the caller's 2 s.
    const result = await test.kernel.call('echo.call', { capability: 'echo.stream', params: { count: 3, intervalMs: 500 }, timeoutMs: 2000 });

    expect(result).toEqual({ sent: 3 });
  });

  it('relays progress of a plugin-to-plugin call to the outer caller, in order, before the result', async () => {
    const seen: unknown[] = [];

    const call = test.kernel.call('echo.call', { capability: 'hello.stream', params: { count: 5, text: 'p' } }, { onProgress: (chunk) => seen.push(chunk) });
    seen.push({ result: await call });

    expect(seen).toEqual([
      { index: 0, text: 'p 0' },
      { index: 1, text: 'p 1' },
      { index: 2, text: 'p 2' },
      { index: 3, text: 'p 3' },
      { index: 4, text: 'p 4' },
      { result: { sent: 5 } },
    ]);
  });

  it("fails a silent call with Timeout kind idle after its capability's idle timeout and aborts the handler", async () => {
    const started = Date.now();

    const error = await rejectionOf(test.kernel.call('echo.slow', { ms: 5000, id: 'idle-timeout' }));

    expect(error.code).toBe(ErrorCode.Timeout);
    expect(error.data).toMatchObject({ kind: 'idle', timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(2500);
    await expect
      .poll(async () => ((await test.kernel.call('echo.aborts')) as { aborts: { id: string }[] }).aborts.map((abort) => abort.id), { timeout: 3000, interval: 25 })
      .toContain('idle-timeout');
  });

  it('keeps a streaming call alive past the idle timeout while progress keeps arriving', async () => {
    let chunks = 0;

    const result = await test.kernel.call('echo.stream', { count: 10, intervalMs: 100 }, { onProgress: () => chunks++ });

    expect(result).toEqual({ sent: 10 });
    expect(chunks).toBe(10);
  });
});

describe('the total call timeout', () => {
  let test: TestKernel;

  beforeAll(async () => {
    test = await startTestKernel([echoPlugin({ limits: { callTimeoutSeconds: 5, callTotalTimeoutSeconds: 0.5 } })]);
    await test.waitForState('echo', 'running');
  });

  afterAll(async () => {
    await test?.close();
  });

  it('fails a call that keeps streaming past callTotalTimeoutSeconds with Timeout kind total', async () => {
    let chunks = 0;
    const started = Date.now();

    const error = await rejectionOf(test.kernel.call('echo.stream', { count: 20, intervalMs: 100 }, { onProgress: () => chunks++ }));

    expect(error.code).toBe(ErrorCode.Timeout);
    // Either the kernel's own timer or the handler's deadline signal (same deadline, a ms apart) ends it.
    expect(error.data).toMatchObject({ capability: 'echo.stream', kind: 'total', timeoutMs: expect.closeTo(500, -2) });
    expect(chunks).toBeGreaterThan(0);
    expect(chunks).toBeLessThan(20);
    expect(Date.now() - started).toBeLessThan(1900);
  });
});
