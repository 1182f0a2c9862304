import { BusError, ErrorCode, errorName, type WireError } from '@cyberstudio/sdk';

/** A JSON-RPC request id as the client sent it. */
export type RequestId = string | number | null;

/** One inbound JSON-RPC message, classified. */
export type InboundMessage =
  | { kind: 'request'; id: RequestId; method: string; params: Record<string, unknown> }
  | { kind: 'notification'; method: string; params: Record<string, unknown> }
  | { kind: 'invalid'; id: RequestId; error: BusError };

/** A JSON-RPC response object. */
export type ResponseMessage =
  | { jsonrpc: '2.0'; id: RequestId; result: unknown }
  | { jsonrpc: '2.0'; id: RequestId; error: WireError };

/** Classifies one parsed JSON value as a request, a notification, or an invalid message with its error. */
export function classifyMessage(value: unknown): InboundMessage {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return invalid(null, ErrorCode.InvalidRequest, 'Invalid request: a JSON-RPC message is an object', { reason: 'not an object' });
  }
  const message = value as Record<string, unknown>;
  const id = message.id;
  const idOk = id === undefined || id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
  const replyId: RequestId = idOk && id !== undefined ? (id as RequestId) : null;
  if (message.jsonrpc !== '2.0') return invalid(replyId, ErrorCode.InvalidRequest, 'Invalid request: "jsonrpc" must be "2.0"', { reason: 'jsonrpc' });
  if (!idOk) return invalid(null, ErrorCode.InvalidRequest, 'Invalid request: "id" must be a string, a number or null', { reason: 'id' });
  if (typeof message.method !== 'string' || message.method === '') {
    return invalid(replyId, ErrorCode.InvalidRequest, 'Invalid request: "method" must be a non-empty string', { reason: 'method' });
  }
  const method = message.method;
  const params = message.params;
  if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
    if (id === undefined) return { kind: 'invalid', id: null, error: paramsError(method) };
    return { kind: 'invalid', id: replyId, error: paramsError(method) };
  }
  const objectParams = (params ?? {}) as Record<string, unknown>;
  if (id === undefined) return { kind: 'notification', method, params: objectParams };
  // A null id is allowed by JSON-RPC but cannot be told apart from an unanswerable error; treat it as a request.
  return { kind: 'request', id: id as RequestId, method, params: objectParams };
}

/** The success response for `id`. */
export function resultResponse(id: RequestId, result: unknown): ResponseMessage {
  return { jsonrpc: '2.0', id, result: result === undefined ? null : result };
}

/** The error response for `id`; anything not a BusError becomes InternalError. */
export function errorResponse(id: RequestId, error: unknown): ResponseMessage {
  return { jsonrpc: '2.0', id, error: BusError.from(error).toJSON() };
}

/**
 * The error a caller from outside (/rpc, /ws) gets for a failed call of `method`. The bus's
 * CapabilityNotFound for `method` itself becomes JSON-RPC's own Method not found (-32601), which
 * generic JSON-RPC clients understand, with the catalog's code and name kept in `data`
 * (`{ method, capability, code: -32001, name: 'CapabilityNotFound' }`); a CapabilityNotFound for
 * another capability (one the provider called) and every other error pass unchanged.
 */
export function outsideCallError(method: string, error: unknown): BusError {
  const failure = BusError.from(error);
  if (failure.code !== ErrorCode.CapabilityNotFound || (failure.data as { capability?: unknown } | undefined)?.capability !== method) return failure;
  return new BusError(ErrorCode.MethodNotFound, failure.message, { method, capability: method, code: ErrorCode.CapabilityNotFound, name: errorName(ErrorCode.CapabilityNotFound) });
}

/** The error for text that is not JSON. */
export function parseError(reason: string): BusError {
  return new BusError(ErrorCode.ParseError, `Parse error: ${reason}`, { reason });
}

function paramsError(method: string): BusError {
  return new BusError(ErrorCode.InvalidParams, `Invalid params for ${method}: params must be a JSON object (named params)`, {
    method,
    errors: [{ instancePath: '', message: 'must be object', keyword: 'type', params: { type: 'object' } }],
  });
}

function invalid(id: RequestId, code: number, message: string, data: Record<string, unknown>): InboundMessage {
  return { kind: 'invalid', id, error: new BusError(code, message, data) };
}
