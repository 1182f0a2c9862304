import { setTimeout as sleep } from 'node:timers/promises';

/** Statuses worth another attempt: the request may succeed later (timeouts, conflicts, rate limits, server trouble). */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 409, 429, 500, 502, 503, 504]);

/** True when an upstream answer with `status` may be retried. */
export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/**
 * The wait before retry number `retry` (1 for the first): `baseMs` doubled per retry, capped at
 * `maxMs`, then "equal jitter" (between half and all of it) so callers that failed together do
 * not come back together.
 */
export function backoffDelayMs(retry: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** (retry - 1));
  return Math.round(exponential / 2 + (exponential / 2) * random());
}

/**
 * The wait an upstream asks for, in ms, from `retry-after-ms` (OpenAI's) or `retry-after` (seconds
 * or an HTTP date); undefined when it asks for none or the header cannot be read.
 */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const milliseconds = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return Math.ceil(milliseconds);
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Waits `ms`; rejects with the signal's reason as soon as `signal` aborts. */
export async function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch (error) {
    // timers/promises rejects with its own AbortError; callers expect the reason the signal carries.
    throw signal.aborted ? signal.reason : error;
  }
}
