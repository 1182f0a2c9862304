import type { KillSettleResult } from './kill-settle-probe.ts';
import { table } from './report.ts';
import { spread, type Spread } from './stats.ts';

/** Floor of the /rpc settling target and the whole /ws target (ms). */
const SETTLE_FLOOR_MS = 100;

/** Medians of the kill -9 probe, with the targets' verdicts. */
export function summarizeKillSettle(kill: KillSettleResult) {
  const rpcSettleMs = spread(kill.rpcSettleMs);
  const wsSettleMs = spread(kill.wsSettleMs);
  const rpcQuickBurstMs = spread(kill.rpcQuickBurstMs);
  // /rpc: within 100 ms of the kill, or within the time this run's gateway takes to answer as many quick concurrent calls, whichever is larger.
  const rpcBoundMs = Math.max(SETTLE_FLOOR_MS, rpcQuickBurstMs?.median ?? 0);
  const verdict = (value: Spread | undefined, bound: number) => (value && kill.unsettled === 0 && value.median <= bound ? 'PASS' : 'MISS');
  return {
    inFlight: kill.inFlight,
    unsettled: kill.unsettled,
    rpcSettleMs, wsSettleMs, rpcQuickBurstMs, rpcBoundMs,
    rpcVerdict: verdict(rpcSettleMs, rpcBoundMs),
    wsVerdict: verdict(wsSettleMs, SETTLE_FLOOR_MS),
  };
}

/** The kill -9 table printed by `npm run bench`. */
export function formatKillSettle(summary: ReturnType<typeof summarizeKillSettle>): string {
  const ms = (value?: Spread) => (value ? `${value.median.toFixed(1)} [${value.min.toFixed(1)}–${value.max.toFixed(1)}]` : '-');
  return [
    `kill -9 of a provider with ${summary.inFlight} calls in flight (medians [min–max]; calls that never settled: ${summary.unsettled}):`,
    '',
    table(['measure', 'ms', 'target', 'verdict'], [
      ['/rpc: kill -> last call settled', ms(summary.rpcSettleMs), `≤ ${summary.rpcBoundMs.toFixed(1)}`, summary.rpcVerdict],
      [`(baseline) /rpc: ${summary.inFlight} concurrent quick calls, first sent -> last answered`, ms(summary.rpcQuickBurstMs), '', ''],
      ['/ws (one socket): kill -> last call settled', ms(summary.wsSettleMs), `≤ ${SETTLE_FLOOR_MS}`, summary.wsVerdict],
    ]),
    '',
    `The /rpc target is the larger of ${SETTLE_FLOOR_MS} ms and the quick-call baseline measured in the same run.`,
  ].join('\n');
}
