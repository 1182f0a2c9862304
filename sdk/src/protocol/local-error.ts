import type { LocalErrorCode } from './error-codes.ts';

/**
 * A failure that never crosses the bus (registry, spawn, handshake): a string code from the
 * catalog, a message written for the operator, and structured details.
 */
export class LocalError<Details = unknown> extends Error {
  readonly code: LocalErrorCode;
  readonly details: Details | undefined;

  constructor(code: LocalErrorCode, message: string, details?: Details, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LocalError';
    this.code = code;
    this.details = details;
  }
}
