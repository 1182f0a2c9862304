import { describe, expect, it } from 'vitest';
import { LogBuffer, type LogRecord } from '../../src/telemetry/index.ts';

let seq = 0;
function record(overrides: Partial<LogRecord> = {}): LogRecord {
  seq++;
  return { seq, time: 1000 + seq, plugin: 'a', level: 'info', msg: `line ${seq}`, source: 'stderr', ...overrides };
}

describe('LogBuffer', () => {
  it('keeps only the newest records of a plugin once its ring is full', () => {
    const buffer = new LogBuffer({ capacityPerPlugin: 3 });
    const records = Array.from({ length: 5 }, () => record());
    for (const r of records) buffer.append(r);
    expect(buffer.query()).toEqual(records.slice(2));
  });

  it('does not let a noisy plugin evict another plugin\'s records', () => {
    const buffer = new LogBuffer({ capacityPerPlugin: 2 });
    const quiet = record({ plugin: 'quiet' });
    buffer.append(quiet);
    for (let i = 0; i < 10; i++) buffer.append(record({ plugin: 'noisy' }));
    expect(buffer.query({ plugin: 'quiet' })).toEqual([quiet]);
    expect(buffer.query()).toHaveLength(3);
  });

  it('returns records of all plugins in seq order, newest last, up to the limit', () => {
    const buffer = new LogBuffer();
    const records = [record({ plugin: 'a' }), record({ plugin: 'b' }), record({ plugin: 'a' }), record({ plugin: 'b' })];
    for (const r of records) buffer.append(r);
    expect(buffer.query({ limit: 3 })).toEqual(records.slice(1));
  });

  it('filters by minimum level', () => {
    const buffer = new LogBuffer();
    const warn = record({ level: 'warn' });
    const fatal = record({ level: 'fatal' });
    for (const r of [record({ level: 'debug' }), warn, record({ level: 'info' }), fatal]) buffer.append(r);
    expect(buffer.query({ level: 'warn' })).toEqual([warn, fatal]);
  });

  it('filters by an inclusive time range', () => {
    const buffer = new LogBuffer();
    const records = [10, 20, 30, 40].map((time) => record({ time }));
    for (const r of records) buffer.append(r);
    expect(buffer.query({ since: 20, until: 30 })).toEqual(records.slice(1, 3));
  });

  it('finds text case-insensitively in the message or the fields', () => {
    const buffer = new LogBuffer();
    const inMsg = record({ msg: 'Connection REFUSED' });
    const inFields = record({ msg: 'retrying', fields: { cause: 'connection refused' } });
    for (const r of [record({ msg: 'all good' }), inMsg, inFields]) buffer.append(r);
    expect(buffer.query({ q: 'connection refused' })).toEqual([inMsg, inFields]);
  });

  it('returns nothing for a plugin it never saw', () => {
    const buffer = new LogBuffer();
    buffer.append(record());
    expect(buffer.query({ plugin: 'ghost' })).toEqual([]);
  });

  it('drops everything on dispose and ignores later appends', () => {
    const buffer = new LogBuffer();
    buffer.append(record());
    buffer.dispose();
    buffer.dispose();
    buffer.append(record());
    expect(buffer.query()).toEqual([]);
  });
});
