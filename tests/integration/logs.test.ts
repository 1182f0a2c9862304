import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogRecord } from '../../kernel/src/index.ts';
import { echoPlugin } from './support/echo-fixture.ts';
import { fixture, startTestKernel, type TestKernel } from './support/test-kernel.ts';

async function logsOf(test: TestKernel, query: Record<string, unknown>): Promise<LogRecord[]> {
  return (await test.kernel.call('kernel.plugins.logs', query)) as LogRecord[];
}

describe('plugin logs', () => {
  let test: TestKernel;

  beforeAll(async () => {
    test = await startTestKernel([
      echoPlugin(),
      { name: 'noisy', entrypoint: fixture('noisy/main.mjs'), activation: 'startup', capabilities: ['noisy.flood', 'noisy.ping'], config: { logEvery: 0 } },
    ]);
    await test.waitForState('echo', 'running');
    await test.waitForState('noisy', 'running');
  });

  afterAll(async () => {
    await test?.close();
  });

  /** Logs each message through echo.log ($/log) and waits until all are stored. */
  async function logThroughEcho(entries: { level: string; msg: string }[]): Promise<LogRecord[]> {
    for (const entry of entries) await test.kernel.call('echo.log', entry);
    const wanted = new Set(entries.map((entry) => entry.msg));
    let stored: LogRecord[] = [];
    await expect
      .poll(async () => {
        stored = (await logsOf(test, { plugin: 'echo', limit: 10_000 })).filter((record) => wanted.has(record.msg));
        return stored.length;
      }, { timeout: 3000, interval: 10 })
      .toBe(entries.length);
    return stored;
  }

  it('stores a pino JSON stderr line at its own level, with its extra fields and without pino bookkeeping', async () => {
    const since = Date.now();

    await test.kernel.call('noisy.flood', { lines: 3, json: true });

    await expect
      .poll(async () => (await logsOf(test, { plugin: 'noisy', since, q: 'noisy line' })).map(({ level, msg, source, fields }) => ({ level, msg, source, fields })), { timeout: 3000, interval: 10 })
      .toEqual([
        { level: 'info', msg: 'noisy line 0', source: 'stderr', fields: { i: 0 } },
        { level: 'warn', msg: 'noisy line 1', source: 'stderr', fields: { i: 1 } },
        { level: 'error', msg: 'noisy line 2', source: 'stderr', fields: { i: 2 } },
      ]);
  });

  it('levels plain-text stderr lines by their conventional prefix', async () => {
    const since = Date.now();

    await test.kernel.call('noisy.flood', { lines: 3, json: false });

    await expect
      .poll(async () => (await logsOf(test, { plugin: 'noisy', since, q: 'noisy line' })).map(({ level, msg }) => ({ level, msg })), { timeout: 3000, interval: 10 })
      .toEqual([
        { level: 'info', msg: 'INFO noisy line 0' },
        { level: 'warn', msg: 'WARN noisy line 1' },
        { level: 'error', msg: 'ERROR noisy line 2' },
      ]);
  });

  it('stores a $/log record at its level with source rpc', async () => {
    const msg = `disk almost full ${randomUUID()}`;

    const [record] = await logThroughEcho([{ level: 'warn', msg }]);

    expect(record).toMatchObject({ plugin: 'echo', level: 'warn', msg, source: 'rpc' });
  });

  it('returns only records at or above the requested level', async () => {
    const tag = `level-${randomUUID()}`;
    await logThroughEcho(['info', 'warn', 'error', 'fatal'].map((level) => ({ level, msg: `${tag} ${level}` })));

    const records = await logsOf(test, { plugin: 'echo', level: 'error', q: tag });

    expect(records.map((record) => record.level)).toEqual(['error', 'fatal']);
  });

  it('returns only records since the given time', async () => {
    const tag = `since-${randomUUID()}`;
    const [old] = await logThroughEcho([{ level: 'info', msg: `${tag} old` }]);
    await expect.poll(() => Date.now(), { interval: 1 }).toBeGreaterThan(old!.time);
    const since = Date.now();
    await logThroughEcho([{ level: 'info', msg: `${tag} new` }]);

    const records = await logsOf(test, { plugin: 'echo', since, q: tag });

    expect(records.map((record) => record.msg)).toEqual([`${tag} new`]);
  });

  it('finds records by a case-insensitive text match', async () => {
    const tag = randomUUID();
    await logThroughEcho([{ level: 'info', msg: `MiXeD Case ${tag}` }, { level: 'info', msg: `other ${tag}` }]);

    const records = await logsOf(test, { plugin: 'echo', q: `mixed case ${tag}`.toUpperCase() });

    expect(records.map((record) => record.msg)).toEqual([`MiXeD Case ${tag}`]);
  });

  it('returns the newest records up to the limit, oldest first', async () => {
    const tag = `limit-${randomUUID()}`;
    await logThroughEcho([0, 1, 2, 3, 4].map((n) => ({ level: 'info', msg: `${tag} ${n}` })));

    const records = await logsOf(test, { plugin: 'echo', q: tag, limit: 2 });

    expect(records.map((record) => record.msg)).toEqual([`${tag} 3`, `${tag} 4`]);
  });
});

describe('log persistence', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cds-logs-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('finds records of an earlier kernel run on the same data directory', async () => {
    const msg = `survives a restart ${randomUUID()}`;
    const first = await startTestKernel([echoPlugin()], { dataDir });
    let before: LogRecord;
    try {
      await first.waitForState('echo', 'running');
      await first.kernel.call('echo.log', { level: 'info', msg });
      await expect.poll(async () => (await logsOf(first, { q: msg })).length, { timeout: 3000, interval: 10 }).toBe(1);
      [before] = await logsOf(first, { q: msg });
    } finally {
      await first.close();
    }

    const second = await startTestKernel([echoPlugin()], { dataDir, start: false });
    try {
      const records = await logsOf(second, { plugin: 'echo', q: msg });

      expect(records).toEqual([before!]);
    } finally {
      await second.close();
    }
  });

  it('numbers the records of a later kernel run after those of the earlier runs', async () => {
    const first = await startTestKernel([echoPlugin()], { dataDir });
    await first.waitForState('echo', 'running');
    await first.close();
    const second = await startTestKernel([echoPlugin()], { dataDir, start: false });
    const earlier = await logsOf(second, { limit: 10_000 });
    try {
      await second.kernel.start();
      await second.waitForState('echo', 'running');

      await expect.poll(async () => (await logsOf(second, { limit: 10_000 })).length, { timeout: 3000, interval: 10 }).toBeGreaterThan(earlier.length);
      const later = (await logsOf(second, { limit: 10_000 })).slice(earlier.length);
      expect(Math.min(...later.map((record) => record.seq))).toBeGreaterThan(Math.max(...earlier.map((record) => record.seq)));
    } finally {
      await second.close();
    }
  });
});
