import { describe, expect, it } from 'vitest';
import { MAX_LOG_MSG_LENGTH, parseRpcLog, parseStderrLine } from '../../src/telemetry/index.ts';

const now = 1_763_712_000_000;

describe('parseStderrLine', () => {
  it('re-levels a pino JSON line and keeps only its own fields', () => {
    const line = JSON.stringify({ level: 50, time: 1, pid: 42, hostname: 'h', v: 1, msg: 'boom', requestId: 'r1' });
    expect(parseStderrLine(line, 'hello', now)).toEqual({
      time: now, plugin: 'hello', level: 'error', msg: 'boom', fields: { requestId: 'r1' }, source: 'stderr',
    });
  });

  it('accepts a level given by name in a JSON line', () => {
    expect(parseStderrLine('{"level":"warn","msg":"careful"}', 'hello', now).level).toBe('warn');
  });

  it('treats an unknown JSON level as info', () => {
    expect(parseStderrLine('{"level":35,"msg":"custom"}', 'hello', now).level).toBe('info');
  });

  it('omits fields when a JSON line has nothing beyond pino bookkeeping', () => {
    expect(parseStderrLine('{"level":30,"time":5,"msg":"hi"}', 'hello', now)).not.toHaveProperty('fields');
  });

  it('keeps a plain text line as an info record with the line as message', () => {
    expect(parseStderrLine('listening on port 8080\r', 'hello', now)).toEqual({
      time: now, plugin: 'hello', level: 'info', msg: 'listening on port 8080', source: 'stderr',
    });
  });

  it('keeps JSON without a level as plain text', () => {
    expect(parseStderrLine('{"foo":1}', 'hello', now)).toMatchObject({ level: 'info', msg: '{"foo":1}' });
  });

  it('levels plain text by its conventional prefix', () => {
    const levelOf = (line: string) => parseStderrLine(line, 'p', now).level;
    expect(levelOf('ERROR:root:disk full')).toBe('error');
    expect(levelOf('Error: ENOENT')).toBe('error');
    expect(levelOf('TypeError: x is not a function')).toBe('error');
    expect(levelOf('Traceback (most recent call last):')).toBe('error');
    expect(levelOf('WARNING: deprecated')).toBe('warn');
    expect(levelOf('DEBUG cache miss')).toBe('debug');
    expect(levelOf('ErrorHandler installed')).toBe('info');
  });

  it('truncates a message longer than 64 KiB and marks the cut', () => {
    const record = parseStderrLine('x'.repeat(MAX_LOG_MSG_LENGTH + 10), 'hello', now);
    expect(record.msg).toBe(`${'x'.repeat(MAX_LOG_MSG_LENGTH)}… [truncated 10 chars]`);
  });
});

describe('parseRpcLog', () => {
  it('turns $/log params into an rpc record with their extra fields', () => {
    expect(parseRpcLog({ level: 'debug', msg: 'tick', n: 3 }, 'hello', now)).toEqual({
      time: now, plugin: 'hello', level: 'debug', msg: 'tick', fields: { n: 3 }, source: 'rpc',
    });
  });

  it('accepts a pino number as the $/log level', () => {
    expect(parseRpcLog({ level: 60, msg: 'dead' }, 'hello', now).level).toBe('fatal');
  });

  it('turns malformed $/log params into a warning that says what was wrong', () => {
    const record = parseRpcLog({ level: 'info', msg: 7 }, 'hello', now);
    expect(record).toMatchObject({ level: 'warn', plugin: 'hello', source: 'rpc' });
    expect(record.msg).toContain('msg must be a string');
    expect(record.fields).toEqual({ received: '{"level":"info","msg":7}' });
  });

  it('turns non-object $/log params into a warning', () => {
    expect(parseRpcLog(null, 'hello', now)).toMatchObject({ level: 'warn', msg: 'malformed $/log params: params must be an object' });
  });
});
