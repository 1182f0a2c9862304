import { styleText } from 'node:util';
import type { LogRecord } from '../../telemetry/log-record.ts';

/** Writes `text` to stdout as is. */
export function writeOut(text: string): void {
  process.stdout.write(text);
}

/** `value` as JSON: indented for people, one line with `compact` (for --json and streamed chunks). */
export function formatJson(value: unknown, compact: boolean): string {
  return JSON.stringify(value === undefined ? null : value, null, compact ? undefined : 2);
}

/**
 * The text of a chunk that reads best printed raw, as token streams do: a string, or an
 * object whose only member is a string `text`. Undefined for any other chunk.
 */
export function textOfChunk(chunk: unknown): string | undefined {
  if (typeof chunk === 'string') return chunk;
  if (typeof chunk !== 'object' || chunk === null || Array.isArray(chunk)) return undefined;
  const keys = Object.keys(chunk);
  const text = (chunk as { text?: unknown }).text;
  return keys.length === 1 && typeof text === 'string' ? text : undefined;
}

/** Rows under a header, each column padded to its widest cell; the last column is not padded. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** `text` cut to `max` characters with an ellipsis, on one line. */
export function truncate(text: string, max: number): string {
  const line = text.replace(/\s*\n\s*/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** One log record as a line people read: local time, level, plugin, message, then its fields as JSON. */
export function formatLogRecord(record: LogRecord, color: boolean): string {
  const level = record.level.toUpperCase().padEnd(5);
  const fields = record.fields && Object.keys(record.fields).length > 0 ? ` ${JSON.stringify(record.fields)}` : '';
  const styled = color ? styleText(LEVEL_STYLE[record.level] ?? 'reset', level) : level;
  const plugin = color ? styleText('bold', record.plugin) : record.plugin;
  return `${localTime(record.time)} ${styled} ${plugin}: ${record.msg}${color && fields ? styleText('dim', fields) : fields}`;
}

/** True when `stream` is a terminal and NO_COLOR is unset (https://no-color.org). */
export function useColor(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && !process.env.NO_COLOR;
}

const LEVEL_STYLE: Record<string, Parameters<typeof styleText>[0]> = {
  trace: 'gray',
  debug: 'gray',
  info: 'green',
  warn: 'yellow',
  error: 'red',
  fatal: 'magenta',
};

/** `YYYY-MM-DD HH:MM:SS.mmm` in local time: records can come from earlier kernel runs, so the date matters. */
function localTime(epochMs: number): string {
  const date = new Date(epochMs);
  const pad = (value: number, size = 2) => String(value).padStart(size, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}
