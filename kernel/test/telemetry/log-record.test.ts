import { describe, expect, it } from 'vitest';
import { levelAtLeast, levelFromNumber, levelToNumber, toLogLevel } from '../../src/telemetry/index.ts';

describe('log levels', () => {
  it('maps every level name to its pino number and back', () => {
    for (const [name, value] of [['trace', 10], ['debug', 20], ['info', 30], ['warn', 40], ['error', 50], ['fatal', 60]] as const) {
      expect(levelToNumber(name)).toBe(value);
      expect(levelFromNumber(value)).toBe(name);
    }
  });

  it('reports numbers that are not pino levels as unknown', () => {
    expect(levelFromNumber(35)).toBeUndefined();
    expect(levelFromNumber(0)).toBeUndefined();
    expect(levelFromNumber(70)).toBeUndefined();
  });

  it('reads level names in any case and rejects other strings', () => {
    expect(toLogLevel('WARN')).toBe('warn');
    expect(toLogLevel(50)).toBe('error');
    expect(toLogLevel('verbose')).toBeUndefined();
    expect(toLogLevel('constructor')).toBeUndefined();
  });

  it('treats a level as at least itself and at least every milder level', () => {
    expect(levelAtLeast('warn', 'warn')).toBe(true);
    expect(levelAtLeast('error', 'info')).toBe(true);
    expect(levelAtLeast('debug', 'info')).toBe(false);
  });
});
