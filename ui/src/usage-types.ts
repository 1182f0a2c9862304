/** One row of `auth.usage.history`: the auth plugin's own type. */
export type { UsageDay } from '@cyberstudio/plugin-auth/answers';

/** What the usage chart stacks: one bar segment per user or per model. */
export type UsageGrouping = 'user' | 'model';

/** The ranges the usage page offers, in days ending today (UTC). */
export const USAGE_RANGES = [7, 30, 90] as const;

/** One of USAGE_RANGES. */
export type UsageRange = (typeof USAGE_RANGES)[number];
