import type { Kysely } from '@cyberstudio/database';
import type { AuthTables } from '../auth-tables.ts';
import type { UsageDay } from './usage-day.ts';

export type { UsageDay } from './usage-day.ts';

/** One finished generation, as `usage_daily` adds it up. */
export interface UsageRecord {
  userId: string;
  /** The API key it came through; none is stored as ''. */
  keyId: string | null;
  model: string;
  /** Epoch ms of the commit; the UTC day is taken from it. */
  time: number;
  promptTokens: number;
  completionTokens: number;
}

/** Which usage `auth.usage.history` returns; every member narrows it. */
export interface UsageFilter {
  userId?: string;
  /** First day, YYYY-MM-DD (UTC), inclusive. */
  from?: string;
  /** Last day, YYYY-MM-DD (UTC), inclusive. */
  to?: string;
  model?: string;
}

/** The UTC day (YYYY-MM-DD) of epoch ms `time`. */
export function utcDay(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/** Adds one request and its tokens to the user's, key's and model's row of that UTC day (pass the transaction). */
export async function recordDailyUsage(db: Kysely<AuthTables>, usage: UsageRecord): Promise<void> {
  await db.insertInto('usage_daily')
    .values({
      user_id: usage.userId,
      key_id: usage.keyId ?? '',
      model: usage.model,
      day: utcDay(usage.time),
      requests: 1,
      prompt_tokens: usage.promptTokens,
      completion_tokens: usage.completionTokens,
    })
    .onConflict((conflict) => conflict.columns(['user_id', 'key_id', 'model', 'day']).doUpdateSet((eb) => ({
      requests: eb('usage_daily.requests', '+', 1),
      prompt_tokens: eb('usage_daily.prompt_tokens', '+', eb.ref('excluded.prompt_tokens')),
      completion_tokens: eb('usage_daily.completion_tokens', '+', eb.ref('excluded.completion_tokens')),
    })))
    .execute();
}

/** Usage per user, model and UTC day (keys summed), ordered by day, then username and model. */
export async function usageHistory(db: Kysely<AuthTables>, filter: UsageFilter): Promise<UsageDay[]> {
  let query = db.selectFrom('usage_daily')
    .innerJoin('users', 'users.id', 'usage_daily.user_id')
    .select((eb) => [
      'usage_daily.user_id as userId',
      'users.username as username',
      'usage_daily.model as model',
      'usage_daily.day as day',
      eb.fn.sum<number>('usage_daily.requests').as('requests'),
      eb.fn.sum<number>('usage_daily.prompt_tokens').as('promptTokens'),
      eb.fn.sum<number>('usage_daily.completion_tokens').as('completionTokens'),
    ])
    .groupBy(['usage_daily.user_id', 'usage_daily.model', 'usage_daily.day'])
    .orderBy('usage_daily.day')
    .orderBy('users.username')
    .orderBy('usage_daily.model');
  if (filter.userId !== undefined) query = query.where('usage_daily.user_id', '=', filter.userId);
  if (filter.model !== undefined) query = query.where('usage_daily.model', '=', filter.model);
  if (filter.from !== undefined) query = query.where('usage_daily.day', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('usage_daily.day', '<=', filter.to);
  return query.execute();
}
