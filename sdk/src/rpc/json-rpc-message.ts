import type { WireError } from '../protocol/bus-error.ts';

/** A JSON-RPC 2.0 request id; this implementation sends numbers and accepts strings. */
export type RequestId = number | string;

/** A request (has an id) or notification (no id). */
export interface RequestMessage {
  jsonrpc: '2.0';
  id?: RequestId;
  method: string;
  params?: unknown;
}

/** A response: exactly one of result or error. */
export interface ResponseMessage {
  jsonrpc: '2.0';
  id: RequestId | null;
  result?: unknown;
  error?: WireError;
}

/** Any single JSON-RPC 2.0 message. */
export type JsonRpcMessage = RequestMessage | ResponseMessage;

/** True when the value is an id JSON-RPC allows (null is only for error responses). */
export function isRequestId(value: unknown): value is RequestId {
  return typeof value === 'number' || typeof value === 'string';
}
