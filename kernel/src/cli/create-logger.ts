import { pino, type Logger } from 'pino';

/** The kernel's logger: readable lines on a terminal, JSON lines otherwise (for log shippers). */
export function createLogger({ level = 'info', pretty = process.stdout.isTTY === true }: { level?: string; pretty?: boolean } = {}): Logger {
  if (!pretty) return pino({ level, base: { pid: process.pid } });
  return pino({
    level,
    transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', messageFormat: '{if plugin}[{plugin}] {end}{msg}' } },
  });
}
