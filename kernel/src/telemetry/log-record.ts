import { logLevelValue, type LogLevel } from '@cyberstudio/sdk';

export type { LogLevel };

/** Where a record came from: a plugin's stderr, a plugin's `$/log` notification, or the kernel. */
export type LogSource = 'stderr' | 'rpc' | 'kernel';

/** One log line, attributed to a plugin and numbered in arrival order. */
export interface LogRecord {
  /** Unique and increasing across the kernel's lifetime (and across restarts when persisted). */
  seq: number;
  /** Epoch milliseconds. */
  time: number;
  plugin: string;
  level: LogLevel;
  msg: string;
  fields?: Record<string, unknown>;
  source: LogSource;
}

/** The pino number of each level; higher is more severe. The SDK's table, so plugin and kernel agree. */
export const LogLevelValue = logLevelValue;

/** Every level, least severe first. */
export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** The pino number of `level` (10..60). */
export function levelToNumber(level: LogLevel): number {
  return LogLevelValue[level];
}

/** The level named by pino number `value`, or undefined when it is not one of 10, 20, ... 60. */
export function levelFromNumber(value: number): LogLevel | undefined {
  return Number.isInteger(value) && value >= 10 && value <= 60 && value % 10 === 0
    ? LOG_LEVELS[value / 10 - 1]
    : undefined;
}

/** Reads a level given as a name (any case) or a pino number; undefined when it is neither. */
export function toLogLevel(value: unknown): LogLevel | undefined {
  if (typeof value === 'number') return levelFromNumber(value);
  if (typeof value !== 'string') return undefined;
  const name = value.toLowerCase();
  return Object.hasOwn(LogLevelValue, name) ? (name as LogLevel) : undefined;
}

/** True when `level` is `min` or more severe. */
export function levelAtLeast(level: LogLevel, min: LogLevel): boolean {
  return LogLevelValue[level] >= LogLevelValue[min];
}
