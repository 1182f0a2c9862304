import { levelAtLeast, type LogLevel, type LogRecord } from './log-record.ts';

/** A filter over log records, shared by the in-memory buffer and the store. */
export interface LogQuery {
  plugin?: string;
  /** Minimum level: `warn` returns warn, error and fatal. */
  level?: LogLevel;
  /** Epoch milliseconds, inclusive. */
  since?: number;
  /** Epoch milliseconds, inclusive. */
  until?: number;
  /** Case-insensitive substring of the message or of the fields' JSON. */
  q?: string;
  /** Most records returned: the newest ones, oldest first. */
  limit?: number;
}

/** Records a query returns when it names no limit. */
export const DEFAULT_QUERY_LIMIT = 200;
/** Ceiling on any query's limit, so one request cannot copy a whole store into memory. */
export const MAX_QUERY_LIMIT = 10_000;

/** The effective limit of `query`: its own, bounded to 0..MAX_QUERY_LIMIT, else the default. */
export function queryLimit(query: LogQuery): number {
  const limit = query.limit ?? DEFAULT_QUERY_LIMIT;
  return Number.isFinite(limit) ? Math.min(Math.max(Math.trunc(limit), 0), MAX_QUERY_LIMIT) : DEFAULT_QUERY_LIMIT;
}

/** A predicate for `query` (ignoring its limit); the text needle is lower-cased once, not per record. */
export function recordMatcher(query: LogQuery): (record: LogRecord) => boolean {
  const { plugin, level, since, until } = query;
  const needle = query.q ? query.q.toLowerCase() : undefined;
  return (record) =>
    (plugin === undefined || record.plugin === plugin) &&
    (level === undefined || levelAtLeast(record.level, level)) &&
    (since === undefined || record.time >= since) &&
    (until === undefined || record.time <= until) &&
    (needle === undefined || containsText(record, needle));
}

function containsText(record: LogRecord, needle: string): boolean {
  if (record.msg.toLowerCase().includes(needle)) return true;
  return record.fields !== undefined && JSON.stringify(record.fields).toLowerCase().includes(needle);
}
