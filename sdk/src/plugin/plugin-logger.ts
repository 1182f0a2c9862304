import type { LogLevel, LogParams } from '../protocol/messages.ts';

/** Numeric pino levels, used to filter before anything is sent. */
export const logLevelValue: Readonly<Record<LogLevel, number>> = {
  trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60,
};

type LogMethod = {
  (msg: string): void;
  (fields: Record<string, unknown>, msg?: string): void;
};

/** A pino-shaped logger: `log.info('msg')`, `log.warn({ key }, 'msg')`, `log.child({ bindings })`. */
export interface PluginLogger {
  trace: LogMethod;
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
  fatal: LogMethod;
  child(bindings: Record<string, unknown>): PluginLogger;
}

/** Builds a logger that hands each record at or above `level` to `send` (normally a `$/log` notification). */
export function createPluginLogger(
  send: (record: LogParams) => void,
  options: { level?: LogLevel; bindings?: Record<string, unknown> } = {},
): PluginLogger {
  const minimum = logLevelValue[options.level ?? 'debug'];
  const bindings = options.bindings ?? {};
  const method = (level: LogLevel): LogMethod =>
    ((first: string | Record<string, unknown>, msg?: string) => {
      if (logLevelValue[level] < minimum) return;
      try {
        if (typeof first === 'string') send({ ...bindings, level, msg: first });
        else send({ ...bindings, ...serializeFields(first), level, msg: msg ?? '' });
      } catch {
        // Logging never throws into plugin code: a field JSON cannot carry (a BigInt, a cycle) loses the record.
      }
    }) as LogMethod;
  return {
    trace: method('trace'),
    debug: method('debug'),
    info: method('info'),
    warn: method('warn'),
    error: method('error'),
    fatal: method('fatal'),
    child: (more) => createPluginLogger(send, { level: options.level, bindings: { ...bindings, ...more } }),
  };
}

/** Errors do not survive JSON.stringify; log them as pino does, under `err`. */
function serializeFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = value instanceof Error ? { type: value.name, message: value.message, stack: value.stack } : value;
  }
  return out;
}
