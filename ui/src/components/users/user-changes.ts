import { BusError, ErrorCode } from '@cyberstudio/sdk';
import { describeError } from '../../api.ts';
import type { KernelClient } from '../../kernel-client.ts';
import type { StudioUser } from '../../kernel-types.ts';

/** The roles of the auth plugin, most powerful first. */
export const USER_ROLES = ['admin', 'developer', 'viewer'] as const;

/** What an admin typed into a user's row: the balance as typed, so it can be checked before sending. */
export interface UserDraft {
  role: string;
  balance: string;
  unlimited: boolean;
}

/** What `auth.balance.set` answers. */
interface BalanceView {
  userId: string;
  balance: number;
  unlimited: boolean;
}

/** The draft of `user` as it stands. */
export function draftOf(user: StudioUser): UserDraft {
  return { role: user.role, balance: String(user.balance), unlimited: user.unlimited };
}

/** Why the draft cannot be sent, in plain words, or undefined when it can. */
export function draftProblem(draft: UserDraft): string | undefined {
  if (!(USER_ROLES as readonly string[]).includes(draft.role)) return `The role must be one of ${USER_ROLES.join(', ')}.`;
  if (draft.unlimited) return undefined;
  const text = draft.balance.trim();
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) return 'The balance must be a whole number of tokens, 0 or more (or tick Unlimited).';
  return undefined;
}

/** The outcome of saving: the user as the kernel last answered, and the failure that stopped the rest, if any. */
export interface SaveOutcome {
  user: StudioUser;
  error?: Error;
}

/**
 * Sends what changed: the role with `auth.users.update`, then the balance or unlimited with
 * `auth.balance.set`. The answers make the returned user, so the table shows what the kernel
 * holds. A refused step stops the rest and comes back as a plain `error`, with the user as it
 * stands after the steps that went through.
 */
export async function saveUserChanges(client: KernelClient, user: StudioUser, draft: UserDraft): Promise<SaveOutcome> {
  let current = user;
  if (draft.role !== user.role) {
    try {
      current = await client.call<StudioUser>('auth.users.update', { user: user.id, role: draft.role });
    } catch (error) {
      return { user: current, error: new Error(`Could not change the role: ${plainReason(error)}`) };
    }
  }
  const balance = Number(draft.balance.trim());
  const change = draft.unlimited
    ? current.unlimited ? undefined : { unlimited: true }
    : current.unlimited || balance !== current.balance ? { balance, unlimited: false } : undefined;
  if (change) {
    try {
      const answer = await client.call<BalanceView>('auth.balance.set', { user: user.id, ...change });
      current = { ...current, balance: answer.balance, unlimited: answer.unlimited };
    } catch (error) {
      return { user: current, error: new Error(`Could not set the balance: ${plainReason(error)}`) };
    }
  }
  return { user: current };
}

/** The auth plugin's own words for a refused parameter ("cannot demote 'ada': it is the last enabled admin ..."), else the message. */
export function plainReason(error: unknown): string {
  if (error instanceof BusError && error.code === ErrorCode.CapabilityInvalidParams) {
    const first = (error.data as { errors?: Array<{ message?: string }> } | undefined)?.errors?.[0]?.message;
    if (first) return first;
  }
  return describeError(error);
}
