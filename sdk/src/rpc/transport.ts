import type { BusError } from '../protocol/bus-error.ts';
import type { JsonRpcMessage } from './json-rpc-message.ts';

/** Something the transport noticed that is not a message: logged by the owner, never fatal. */
export type TransportDiagnostic =
  | { kind: 'invalid-json'; line: string; error: string }
  | { kind: 'oversized'; bytes: number }
  | { kind: 'write-failed'; error: string };

/** Callbacks a transport reports to; set once by `start`. */
export interface TransportHandlers {
  onMessage(message: unknown): void;
  /**
   * The peer is gone (EOF, exit, socket closed); called at most once. `error` is what pending
   * requests reject with; without it they get ConnectionClosed.
   */
  onClose(reason: string, error?: BusError): void;
  onDiagnostic?(diagnostic: TransportDiagnostic): void;
}

/**
 * Moves whole JSON-RPC messages between two peers. Framing and serialization live here;
 * matching requests to responses lives in RpcConnection.
 */
export interface Transport {
  start(handlers: TransportHandlers): void;
  /**
   * Queues one message. Write failures never throw: they are reported as diagnostics and close.
   * A message JSON cannot serialize (a BigInt, a cycle) throws a TypeError and nothing is sent.
   */
  send(message: JsonRpcMessage): void;
  /** Stops reading and writing; idempotent. */
  close(): void;
}
