import { toLogLevel, type LogLevel, type LogRecord, type LogSource } from './log-record.ts';

/** A parsed record before the log pipeline numbers it. */
export type UnnumberedLogRecord = Omit<LogRecord, 'seq'>;

/** Longest message kept, in UTF-16 code units (64 KiB); the rest is cut and the cut is marked. */
export const MAX_LOG_MSG_LENGTH = 64 * 1024;

/** How much of malformed `$/log` params a warning quotes: enough to recognise, not to flood. */
const MALFORMED_PREVIEW_LENGTH = 1024;

/** Keys pino writes on every line; they say nothing about the event, so they are not kept as fields. */
const pinoBookkeeping = new Set(['pid', 'hostname', 'v', 'time', 'level', 'msg']);

/** Conventional prefixes of plain-text lines (Python logging, Go panics, compilers, JS errors). */
const plainTextLevels: readonly (readonly [RegExp, LogLevel])[] = [
  [/^\[?(?:FATAL|PANIC)\b|^panic:/, 'fatal'],
  [/^\[?ERROR\b|^(?:[A-Z]\w*)?Error:|^error:|^Traceback\b/, 'error'],
  [/^\[?WARN(?:ING)?\b|^warning:/, 'warn'],
  [/^\[?DEBUG\b/, 'debug'],
  [/^\[?TRACE\b/, 'trace'],
];

/**
 * One stderr line of `plugin` as a record: a pino JSON line keeps its level and extra fields,
 * anything else is plain text levelled by its prefix (default info). The record's time is `now`,
 * the arrival time, because plugins' own clocks and time units cannot be trusted.
 */
export function parseStderrLine(line: string, plugin: string, now: number): UnnumberedLogRecord {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  const json = text.trimStart().startsWith('{') ? parseObject(text) : undefined;
  if (json !== undefined && (typeof json.level === 'number' || typeof json.level === 'string')) {
    return fromPinoObject(json, plugin, now, 'stderr');
  }
  return { time: now, plugin, level: plainTextLevel(text), msg: truncateMessage(text), source: 'stderr' };
}

/** The params of a `$/log` notification from `plugin` as a record; malformed params become a warning. */
export function parseRpcLog(params: unknown, plugin: string, now: number): UnnumberedLogRecord {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    return malformed(plugin, now, 'params must be an object', params);
  }
  const object = params as Record<string, unknown>;
  if (typeof object.msg !== 'string') return malformed(plugin, now, 'msg must be a string', params);
  return fromPinoObject(object, plugin, now, 'rpc');
}

/** Cuts `msg` to MAX_LOG_MSG_LENGTH, never inside a surrogate pair, and says how much was cut. */
export function truncateMessage(msg: string): string {
  if (msg.length <= MAX_LOG_MSG_LENGTH) return msg;
  const end = isHighSurrogate(msg.charCodeAt(MAX_LOG_MSG_LENGTH - 1)) ? MAX_LOG_MSG_LENGTH - 1 : MAX_LOG_MSG_LENGTH;
  return `${msg.slice(0, end)}… [truncated ${msg.length - end} chars]`;
}

function fromPinoObject(
  object: Record<string, unknown>, plugin: string, now: number, source: LogSource,
): UnnumberedLogRecord {
  const fields: Record<string, unknown> = {};
  let hasFields = false;
  for (const key of Object.keys(object)) {
    if (pinoBookkeeping.has(key)) continue;
    fields[key] = object[key];
    hasFields = true;
  }
  const record: UnnumberedLogRecord = {
    time: now,
    plugin,
    level: toLogLevel(object.level) ?? 'info',
    msg: truncateMessage(messageText(object.msg)),
    source,
  };
  if (hasFields) record.fields = fields;
  return record;
}

function malformed(plugin: string, now: number, reason: string, params: unknown): UnnumberedLogRecord {
  const json = JSON.stringify(params) ?? String(params);
  const received = json.length > MALFORMED_PREVIEW_LENGTH ? `${json.slice(0, MALFORMED_PREVIEW_LENGTH)}…` : json;
  return { time: now, plugin, level: 'warn', msg: `malformed $/log params: ${reason}`, fields: { received }, source: 'rpc' };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function messageText(msg: unknown): string {
  if (typeof msg === 'string') return msg;
  return msg === undefined ? '' : (JSON.stringify(msg) ?? String(msg));
}

function plainTextLevel(text: string): LogLevel {
  for (const [pattern, level] of plainTextLevels) if (pattern.test(text)) return level;
  return 'info';
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
