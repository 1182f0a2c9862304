/** @cyberstudio/sdk: platform-neutral protocol types, the RPC engine and the plugin API. Node-only parts live in `@cyberstudio/sdk/node`. */
export { ErrorCode, ErrorCodeRange, LocalErrorCode, wireErrorCatalog, localErrorCatalog, type ErrorCatalogEntry } from './protocol/error-codes.ts';
export { BusError, isWireError, errorName, type WireError } from './protocol/bus-error.ts';
export { LocalError } from './protocol/local-error.ts';
export {
  PLUGIN_COOKIE_ENV, PLUGIN_COOKIE_VALUE, PROTOCOL_VERSIONS_ENV, PLUGIN_NAME_ENV, DATA_DIR_ENV,
  PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS, Defaults, Method,
} from './protocol/protocol-constants.ts';
export type {
  JsonSchema, Caller, CallMeta, OutgoingCallMeta, CapabilityDescriptor, InitializeParams, InitializeResult, ConfigureParams, HttpRouteRequest, HttpRouteAnswer,
  ProgressParams, CancelParams, LogLevel, LogParams, SubscribeParams, PublishParams, EventParams,
} from './protocol/messages.ts';
export { CAPABILITY_NAME_PATTERN, TOPIC_PATTERN, TOPIC_NAME, isCapabilityName, matchesPattern } from './protocol/capability-name.ts';
export { LineReader, type ByteChunk, type LineReaderEvents } from './rpc/line-reader.ts';
export type { JsonRpcMessage, RequestMessage, ResponseMessage, RequestId } from './rpc/json-rpc-message.ts';
export type { Transport, TransportHandlers, TransportDiagnostic } from './rpc/transport.ts';
export {
  RpcConnection, timeoutError, cancelledError,
  type CancellationSignal, type IncomingRequestContext, type RpcConnectionHandlers, type RequestOptions, type ConnectionDiagnostic,
} from './rpc/rpc-connection.ts';
export { CancellationSource } from './rpc/cancellation-source.ts';
export { definePlugin, defineCapability, type PluginDefinition, type CapabilitySpec, type PluginStartServices, type PluginHttpServer } from './plugin/define-plugin.ts';
export type { PluginContext, PluginServices, PluginCallOptions, TopicListener } from './plugin/plugin-context.ts';
export { createPluginLogger, logLevelValue, type PluginLogger } from './plugin/plugin-logger.ts';
export { PluginServer, type PluginServerState } from './plugin/plugin-server.ts';
export { SchemaValidator, formatIssues, type ValidationIssue, type SchemaCheck } from './plugin/schema-validator.ts';
export { newTraceId } from './plugin/handler-context.ts';
