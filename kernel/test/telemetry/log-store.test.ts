import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LogStore, type LogRecord } from '../../src/telemetry/index.ts';

let dir: string;
let file: string;
let seq = 0;

function record(overrides: Partial<LogRecord> = {}): LogRecord {
  seq++;
  return { seq, time: Date.now(), plugin: 'a', level: 'info', msg: `line ${seq}`, source: 'stderr', ...overrides };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cds-log-store-'));
  file = join(dir, 'data', 'logs.sqlite');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('LogStore', () => {
  it('keeps records across close and reopen', async () => {
    const records = [record({ fields: { user: 'u_1' } }), record({ level: 'error', source: 'rpc' })];
    const first = await LogStore.open({ file });
    for (const r of records) first.append(r);
    await first.close();
    await using second = await LogStore.open({ file });
    expect(await second.query()).toEqual(records);
    expect(second.lastSeq).toBe(records[1]!.seq);
  });

  it('writes queued records on its own within a flush interval', async () => {
    await using store = await LogStore.open({ file });
    store.append(record());
    const reader = new Database(file, { readonly: true });
    try {
      await vi.waitFor(() => expect(reader.prepare('SELECT count(*) AS n FROM logs').get()).toEqual({ n: 1 }), { timeout: 2000 });
    } finally {
      reader.close();
    }
  });

  it('filters by plugin, minimum level and inclusive time range', async () => {
    await using store = await LogStore.open({ file });
    const match = record({ plugin: 'b', level: 'warn', time: 2000 });
    for (const r of [
      record({ plugin: 'a', level: 'warn', time: 2000 }),
      record({ plugin: 'b', level: 'info', time: 2000 }),
      record({ plugin: 'b', level: 'error', time: 999 }),
      match,
    ]) store.append(r);
    expect(await store.query({ plugin: 'b', level: 'warn', since: 1000, until: 2000 })).toEqual([match]);
  });

  it('finds text case-insensitively and treats LIKE wildcards literally', async () => {
    await using store = await LogStore.open({ file });
    const hit = record({ msg: 'Disk 100% FULL' });
    for (const r of [record({ msg: 'disk 1000 full' }), hit, record({ msg: 'ok', fields: { note: 'x' } })]) store.append(r);
    expect(await store.query({ q: '100% full' })).toEqual([hit]);
  });

  it('returns the newest records up to the limit, oldest first', async () => {
    await using store = await LogStore.open({ file });
    const records = Array.from({ length: 5 }, () => record());
    for (const r of records) store.append(r);
    expect(await store.query({ limit: 2 })).toEqual(records.slice(3));
  });

  it('drops records older than maxAgeMs on retention', async () => {
    await using store = await LogStore.open({ file, maxAgeMs: 60_000 });
    const now = Date.now();
    const fresh = record({ time: now - 1000 });
    store.append(record({ time: now - 120_000 }));
    store.append(fresh);
    expect(await store.retain({ now })).toEqual({ deleted: 1 });
    expect(await store.query()).toEqual([fresh]);
  });

  it('drops the oldest records beyond maxRows on retention', async () => {
    await using store = await LogStore.open({ file, maxRows: 3 });
    const records = Array.from({ length: 5 }, () => record());
    for (const r of records) store.append(r);
    expect(await store.retain()).toEqual({ deleted: 2 });
    expect(await store.query()).toEqual(records.slice(2));
  });

  it('applies retention when it opens', async () => {
    const first = await LogStore.open({ file });
    for (let i = 0; i < 5; i++) first.append(record());
    await first.close();
    await using second = await LogStore.open({ file, maxRows: 2 });
    expect(await second.query()).toHaveLength(2);
  });

  it('trims the oldest records when the data outgrows maxBytes', async () => {
    await using store = await LogStore.open({ file, maxBytes: 256 * 1024 });
    for (let i = 0; i < 200; i++) store.append(record({ msg: 'x'.repeat(4096) }));
    const { deleted } = await store.retain();
    const kept = await store.query({ limit: 1000 });
    expect(deleted).toBeGreaterThan(100);
    expect(kept.at(-1)?.seq).toBe(seq);
  });

  it('flushes queued records on close and is safe to close twice', async () => {
    const store = await LogStore.open({ file });
    const queued = record();
    store.append(queued);
    await Promise.all([store.close(), store.close()]);
    await store.close();
    await using reopened = await LogStore.open({ file });
    expect(await reopened.query()).toEqual([queued]);
  });

  it('drops records appended after close and counts them', async () => {
    const store = await LogStore.open({ file });
    await store.close();
    store.append(record());
    expect(store.droppedCount).toBe(1);
    await expect(store.query()).rejects.toThrow('closed');
  });

  it('accepts 100k appends in a loop without stalling the caller', async () => {
    await using store = await LogStore.open({ file });
    const records = Array.from({ length: 100_000 }, () => record({ fields: { n: 1 } }));
    const started = performance.now();
    for (const r of records) store.append(r);
    const loopMs = performance.now() - started;
    await store.flush();
    expect(loopMs).toBeLessThan(250);
    expect(await store.query({ limit: 1 })).toEqual([records.at(-1)]);
    expect(store.droppedCount).toBe(0);
  });

  it('fails with CDS_ERR_DATA_DIR_UNAVAILABLE naming the path when the file is not a database', async () => {
    await rm(join(dir, 'data'), { recursive: true, force: true });
    const bogus = join(dir, 'not-a-db.sqlite');
    await writeFile(bogus, 'this is certainly not a SQLite database, just some text that is long enough');
    await expect(LogStore.open({ file: bogus })).rejects.toMatchObject({
      code: 'CDS_ERR_DATA_DIR_UNAVAILABLE',
      details: { path: bogus },
      message: expect.stringContaining(bogus),
    });
  });
});
