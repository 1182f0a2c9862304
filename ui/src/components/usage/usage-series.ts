import type { UsageDay, UsageGrouping } from '../../usage-types.ts';

/** At most this many users or models get their own colour; the rest are summed into one segment. */
export const MAX_GROUPS = 6;

const DAY_MS = 86_400_000;

/** Usage over a range of days, grouped by user or model: what the chart stacks and the table lists. */
export interface UsageSeries {
  /** Every UTC day of the range (YYYY-MM-DD), oldest first, used or not. */
  days: string[];
  /** Segment names, most tokens first; the last is "N others" when groups were summed. */
  groups: string[];
  /** Tokens (prompt + completion) of each group on each day: `tokens[group][day]`. */
  tokens: number[][];
  dayTotals: number[];
  groupTotals: number[];
  total: number;
  promptTokens: number;
  completionTokens: number;
  requests: number;
}

/** The `count` UTC days ending with the day of `now` (YYYY-MM-DD), oldest first; usage days are UTC. */
export function rangeDays(count: number, now = Date.now()): string[] {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  return Array.from({ length: count }, (_, index) => new Date(today - (count - 1 - index) * DAY_MS).toISOString().slice(0, 10));
}

/** The group a row belongs to. */
export function groupOf(row: UsageDay, grouping: UsageGrouping): string {
  return grouping === 'user' ? row.username : row.model;
}

/** Sums `rows` per group and day over `days`; rows outside the days are left out. */
export function usageSeries(rows: readonly UsageDay[], days: readonly string[], grouping: UsageGrouping): UsageSeries {
  const dayIndex = new Map(days.map((day, index) => [day, index]));
  const perGroup = new Map<string, number[]>();
  let promptTokens = 0;
  let completionTokens = 0;
  let requests = 0;
  for (const row of rows) {
    const index = dayIndex.get(row.day);
    if (index === undefined) continue;
    const name = groupOf(row, grouping);
    let values = perGroup.get(name);
    if (!values) perGroup.set(name, (values = days.map(() => 0)));
    values[index]! += row.promptTokens + row.completionTokens;
    promptTokens += row.promptTokens;
    completionTokens += row.completionTokens;
    requests += row.requests;
  }
  const ranked = [...perGroup.entries()]
    .map(([name, values]) => ({ name, values, total: sum(values) }))
    .sort((a, b) => b.total - a.total || a.name.localeCompare(b.name));
  // More groups than colours: the smallest share one segment, so the chart and the table stay readable.
  const kept = ranked.length > MAX_GROUPS ? ranked.slice(0, MAX_GROUPS - 1) : ranked;
  const rest = ranked.slice(kept.length);
  if (rest.length > 0) {
    const values = days.map((_, index) => sum(rest.map((group) => group.values[index]!)));
    kept.push({ name: `${rest.length} others`, values, total: sum(values) });
  }
  const tokens = kept.map((group) => group.values);
  const dayTotals = days.map((_, index) => sum(tokens.map((values) => values[index]!)));
  return {
    days: [...days],
    groups: kept.map((group) => group.name),
    tokens,
    dayTotals,
    groupTotals: kept.map((group) => group.total),
    total: sum(dayTotals),
    promptTokens,
    completionTokens,
    requests,
  };
}

/** The distinct values of `key` in `rows`, sorted. */
export function distinct(rows: readonly UsageDay[], key: 'username' | 'model'): string[] {
  return [...new Set(rows.map((row) => row[key]))].sort((a, b) => a.localeCompare(b));
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
