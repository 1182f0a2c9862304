import { BusError, ErrorCode } from '@cyberstudio/sdk';
import type { InteractionRecord } from './interaction-types.ts';

/** The status and error columns of a call that threw. */
export type InteractionOutcome = Pick<InteractionRecord, 'status' | 'errorCode' | 'errorMessage'>;

/**
 * How a failed generation goes into the log: `cancelled` when the call's `signal` was aborted or
 * the error is Cancelled (-32005), else `error`; the code is the one the caller receives (a
 * non-BusError becomes InternalError, as the SDK answers it).
 */
export function outcomeOf(error: unknown, signal?: AbortSignal): InteractionOutcome {
  const busError = BusError.from(error);
  const cancelled = signal?.aborted === true || busError.code === ErrorCode.Cancelled;
  return { status: cancelled ? 'cancelled' : 'error', errorCode: busError.code, errorMessage: busError.message };
}
