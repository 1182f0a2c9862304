import { ErrorCode, wireErrorCatalog } from './error-codes.ts';

/** The JSON shape of an error on the wire (a JSON-RPC 2.0 error object). */
export interface WireError {
  code: number;
  message: string;
  data?: unknown;
}

/**
 * An error that crosses the bus: a numeric catalog code, a message and typed data.
 * Handlers throw it to answer with that code; callers receive it when a request fails.
 */
export class BusError<Data = unknown> extends Error {
  readonly code: number;
  readonly data: Data | undefined;

  constructor(code: number, message: string, data?: Data) {
    super(message);
    this.name = 'BusError';
    this.code = code;
    this.data = data;
  }

  /** The JSON-RPC error object for this error. */
  toJSON(): WireError {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }

  /** Rebuilds a BusError from a received JSON-RPC error object. */
  static fromWire(error: WireError): BusError {
    return new BusError(error.code, error.message, error.data);
  }

  /** Wraps anything thrown by a handler; non-BusErrors become InternalError without leaking stacks. */
  static from(error: unknown): BusError {
    if (error instanceof BusError) return error;
    if (isWireError(error)) return BusError.fromWire(error);
    const name = error instanceof Error ? error.name : typeof error;
    const message = error instanceof Error ? error.message : String(error);
    return new BusError(ErrorCode.InternalError, message, { name });
  }
}

/** True when `value` has the shape of a JSON-RPC error object. */
export function isWireError(value: unknown): value is WireError {
  return (
    typeof value === 'object' && value !== null &&
    typeof (value as WireError).code === 'number' &&
    typeof (value as WireError).message === 'string'
  );
}

/** The catalog name of a wire code, or 'UnknownError'. */
export function errorName(code: number): string {
  return (wireErrorCatalog as Record<number, { name: string }>)[code]?.name ?? 'UnknownError';
}
