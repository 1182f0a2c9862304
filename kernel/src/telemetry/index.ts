/** Kernel telemetry: plugin log parsing, buffering and persistence, call latency and process usage. */
export { LatencyStats, LATENCY_WINDOW_SIZE, type LatencySnapshot } from './latency-stats.ts';
export { LogBuffer, DEFAULT_BUFFER_CAPACITY_PER_PLUGIN, type LogBufferOptions } from './log-buffer.ts';
export {
  parseStderrLine, parseRpcLog, truncateMessage, MAX_LOG_MSG_LENGTH, type UnnumberedLogRecord,
} from './log-line-parser.ts';
export { DEFAULT_QUERY_LIMIT, MAX_QUERY_LIMIT, type LogQuery } from './log-query.ts';
export {
  LOG_LEVELS, LogLevelValue, levelAtLeast, levelFromNumber, levelToNumber, toLogLevel,
  type LogLevel, type LogRecord, type LogSource,
} from './log-record.ts';
export { LogStore, LogStoreDefaults, type LogStoreOptions } from './log-store.ts';
export { forgetProcess, sampleProcesses, type ProcessSample } from './process-stats.ts';
