import type { Caller } from '@cyberstudio/sdk';
import { invalidParam } from '../invalid-param.ts';

/** The user id a self-service call acts on: `requested` when given, else the calling user; throws for non-user callers without one. */
export function selfOr(caller: Caller, requested: string | undefined, field: string, capability: string): string {
  if (requested !== undefined) return requested;
  if (caller.kind === 'user') return caller.id;
  throw invalidParam(capability, field, `is required when the caller is ${caller.kind === 'plugin' ? `plugin '${caller.name}'` : 'the kernel'}, not a user`);
}

/** True when `caller` is the user with id `userId`. */
export function isUser(caller: Caller, userId: string): boolean {
  return caller.kind === 'user' && caller.id === userId;
}

