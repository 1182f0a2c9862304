import { UsageError } from './client-errors.ts';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * The epoch milliseconds `--since` names: a duration back from `now` (`90s`, `10m`, `2h`,
 * `1d`, `500ms`, combinable as `1h30m`), epoch milliseconds (digits only), or an ISO 8601
 * date/time. Throws UsageError for anything else.
 */
export function parseSince(text: string, now: number = Date.now()): number {
  const value = text.trim();
  if (/^\d+$/.test(value)) return Number(value);
  const duration = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/.test(value) ? value.match(/\d+(?:\.\d+)?(?:ms|s|m|h|d)/g) : null;
  if (duration) {
    const ms = duration.reduce((sum, part) => {
      const [, amount, unit] = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(part)!;
      return sum + Number(amount) * UNIT_MS[unit!]!;
    }, 0);
    return Math.round(now - ms);
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const time = Date.parse(value);
    if (Number.isFinite(time)) return time;
  }
  throw new UsageError(`--since must be a duration (10m, 2h, 1d), an ISO date/time or epoch milliseconds, not '${text}'`);
}
