import type { GatewayConnection, GatewayEvent } from '@cyberstudio/sdk/client';
import { LOG_LEVELS, type LogLevel, type LogRecord } from '../../telemetry/log-record.ts';
import { ExitCode, exitCodeHelp } from '../exit-codes.ts';
import { UsageError, reportFailure } from './client-errors.ts';
import { clientOptionsHelp, parseClientArgs, resolveClientOptions } from './client-options.ts';
import { formatJson, formatLogRecord, useColor, writeOut } from './client-output.ts';
import { GatewayClient } from './gateway-client.ts';
import { interruptSignal } from './interrupt-signal.ts';
import { parseSince } from './parse-since.ts';

/** Records shown from history when -n is not given. */
export const DEFAULT_LOG_LINES = 100;
/** The topic the gateway publishes every plugin log record on. */
export const LOG_TOPIC = 'kernel.log';

/** --help of `cyberstudio logs`. */
export const logsHelp = `Usage: cyberstudio logs [plugin] [-f] [--level <level>] [--since <when>] [-n <count>] [--grep <text>] [options]

Prints a plugin's log records (every plugin's without one), oldest first: local time, level,
plugin, message and fields. With -f it then follows new records as they arrive until Ctrl-C.

Options:
  -f, --follow        keep printing new records (over the gateway's WebSocket) until Ctrl-C
  --level <level>     minimum level: trace | debug | info | warn | error | fatal
  --since <when>      only records from then on: a duration back (90s, 10m, 2h, 1d), an ISO
                      date/time, or epoch milliseconds (history only)
  -n, --lines <n>     how many of the newest matching records to show first (default: ${DEFAULT_LOG_LINES}, max 10000)
  --grep <text>       only records whose message or fields contain text (case-insensitive)
${clientOptionsHelp}
  With --json each record prints as one JSON line.

${exitCodeHelp}`;

/** `cyberstudio logs`: history through kernel.plugins.logs, then with -f live records from the kernel.log topic. */
export async function logsCommand(argv: string[]): Promise<number> {
  let json = argv.includes('--json');
  try {
    const { values, positionals } = parseClientArgs(argv, {
      follow: { type: 'boolean', short: 'f', default: false },
      level: { type: 'string' },
      since: { type: 'string' },
      lines: { type: 'string', short: 'n' },
      grep: { type: 'string' },
    });
    if (values.help) {
      writeOut(`${logsHelp}\n`);
      return ExitCode.Ok;
    }
    const options = resolveClientOptions(values);
    json = options.json;
    const [plugin, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}' (logs takes one plugin)`);
    const query = {
      plugin,
      level: parseLevel(values.level),
      since: values.since === undefined ? undefined : parseSince(values.since),
      limit: parseLines(values.lines),
      q: values.grep,
    };
    const printer = new RecordPrinter(json, values.grep);
    const client = new GatewayClient(options);
    if (!values.follow) {
      const history = await fetchHistory(client, query);
      for (const record of history) printer.print(record);
      if (history.length === 0 && !json) process.stderr.write('(no log records match)\n');
      return ExitCode.Ok;
    }
    return await follow(client, query, printer);
  } catch (error) {
    return reportFailure(error, json, 'logs');
  }
}

interface LogsQuery {
  plugin: string | undefined;
  level: LogLevel | undefined;
  since: number | undefined;
  limit: number;
  q: string | undefined;
}

/**
 * Subscribes first and fetches history second, so no record falls between the two; live
 * records the history already showed (seq at or below its last) are skipped.
 */
async function follow(client: GatewayClient, query: LogsQuery, printer: RecordPrinter): Promise<number> {
  const interrupt = interruptSignal();
  let socket: GatewayConnection | undefined;
  try {
    socket = await client.openSocket({ signal: interrupt.signal });
    let lastSeq = -Infinity;
    let buffered: GatewayEvent[] | undefined = [];
    const onEvent = (event: GatewayEvent) => {
      if (typeof event.dropped === 'number' && event.dropped > 0) process.stderr.write(`(${event.dropped} lines dropped)\n`);
      const record = event.data as LogRecord;
      if (typeof record?.seq === 'number' && record.seq <= lastSeq) return;
      printer.print(record);
    };
    socket.onEvent((event) => (buffered ? buffered.push(event) : onEvent(event)));
    await socket.request('$/subscribe', definedOnly({ topic: LOG_TOPIC, plugin: query.plugin, level: query.level }), { signal: interrupt.signal });
    const history = await fetchHistory(client, query, interrupt.signal);
    for (const record of history) printer.print(record);
    lastSeq = history.at(-1)?.seq ?? lastSeq;
    for (const event of buffered) onEvent(event);
    buffered = undefined;
    const aborted = new Promise<void>((resolve) => interrupt.signal.addEventListener('abort', () => resolve(), { once: true }));
    await Promise.race([aborted, socket.closed]);
    if (!interrupt.signal.aborted) throw socket.closeReason;
    return ExitCode.Ok;
  } catch (error) {
    if (interrupt.signal.aborted) return ExitCode.Ok;
    throw error;
  } finally {
    interrupt.dispose();
    await socket?.close();
  }
}

async function fetchHistory(client: GatewayClient, query: LogsQuery, signal?: AbortSignal): Promise<LogRecord[]> {
  return (await client.call('kernel.plugins.logs', definedOnly({ ...query }), { signal })) as LogRecord[];
}

/** Prints records readably, or as JSON lines; live records also pass the --grep filter here (history is filtered by the kernel). */
class RecordPrinter {
  readonly #json: boolean;
  readonly #color = useColor(process.stdout);
  readonly #needle: string | undefined;

  constructor(json: boolean, grep: string | undefined) {
    this.#json = json;
    this.#needle = grep ? grep.toLowerCase() : undefined;
  }

  print(record: LogRecord): void {
    if (this.#needle !== undefined && !matches(record, this.#needle)) return;
    writeOut(`${this.#json ? formatJson(record, true) : formatLogRecord(record, this.#color)}\n`);
  }
}

/** The kernel's own --grep rule: a case-insensitive substring of the message or of the fields' JSON. */
function matches(record: LogRecord, needle: string): boolean {
  if (String(record.msg).toLowerCase().includes(needle)) return true;
  return record.fields !== undefined && JSON.stringify(record.fields).toLowerCase().includes(needle);
}

function parseLevel(text: string | undefined): LogLevel | undefined {
  if (text === undefined) return undefined;
  const level = text.toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(level)) throw new UsageError(`--level must be one of ${LOG_LEVELS.join(', ')}, not '${text}'`);
  return level;
}

function parseLines(text: string | undefined): number {
  if (text === undefined) return DEFAULT_LOG_LINES;
  const lines = Number(text);
  if (!/^\d+$/.test(text.trim()) || lines < 1 || lines > 10_000) throw new UsageError(`-n must be a whole number from 1 to 10000, not '${text}'`);
  return lines;
}

function definedOnly(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}
