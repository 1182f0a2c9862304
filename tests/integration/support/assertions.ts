import { expect } from 'vitest';
import { BusError } from '@cyberstudio/sdk';
import type { StateChange } from '../../../kernel/src/index.ts';

/** The error `promise` rejects with, checked to be a BusError; fails the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<BusError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(BusError);
    return error as BusError;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Any error a kernel call or start rejects with: a BusError's code and data, or a CDS_ERR_* error's code and details. */
export type Failure = Error & { code?: unknown; data?: Record<string, unknown>; details?: Record<string, unknown> };

/** The error `promise` rejects with, whatever its class; throws 'expected a rejection' when it resolves. */
export async function failure(promise: Promise<unknown>): Promise<Failure> {
  try {
    await promise;
  } catch (error) {
    return error as Failure;
  }
  throw new Error('expected a rejection');
}

/** The state changes of `plugin` among `states`, from index `from` on, in order. */
export const of = (states: StateChange[], plugin: string, from = 0) => states.slice(from).filter((change) => change.plugin === plugin);

/** The target state of each change, in order. */
export const targets = (changes: StateChange[]) => changes.map((change) => change.to);
