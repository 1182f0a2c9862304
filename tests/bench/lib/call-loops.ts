import { performance } from 'node:perf_hooks';
import { percentile, round } from './stats.ts';

/** One call to measure; it rejects when the reply does not match the request. */
export type MeasuredCall = () => Promise<void>;

/** How many calls to make and how: `concurrency` 1 awaits each reply before the next call. */
export interface LoopPlan {
  n: number;
  warmup: number;
  concurrency: number;
}

/** Latency (µs, nearest rank, per call from send to reply) and throughput of one measured loop. */
export interface LoopSummary {
  calls: number;
  concurrency: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  maxUs: number;
  meanUs: number;
  elapsedMs: number;
  callsPerSec: number;
}

/** Runs `plan.warmup` unmeasured calls, then `plan.n` measured ones, in the same mode. */
export async function measureLoop(call: MeasuredCall, plan: LoopPlan): Promise<LoopSummary> {
  if (plan.warmup > 0) await runLoop(call, plan.warmup, plan.concurrency);
  return runLoop(call, plan.n, plan.concurrency);
}

/** Keeps `concurrency` calls in flight until `n` have completed; each call's latency is recorded. */
export async function runLoop(call: MeasuredCall, n: number, concurrency: number): Promise<LoopSummary> {
  const { latencyMs, elapsedMs } = await recordLoop(call, n, concurrency);
  return summarize(latencyMs, elapsedMs, concurrency);
}

/** What one loop recorded: each call's latency (ms, in the order the calls were made) and the loop's duration. */
export interface LoopSamples {
  latencyMs: Float64Array;
  elapsedMs: number;
}

/** runLoop without the summary, for loops measured in parts (see call-scenarios.ts). */
export async function recordLoop(call: MeasuredCall, n: number, concurrency: number): Promise<LoopSamples> {
  const latencyMs = new Float64Array(n);
  let issued = 0;
  const worker = async () => {
    while (issued < n) {
      const index = issued++;
      const sent = performance.now();
      await call();
      latencyMs[index] = performance.now() - sent;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, n)) }, worker));
  return { latencyMs, elapsedMs: performance.now() - started };
}

/** Percentiles, mean and throughput of recorded latencies over `elapsedMs`. */
export function summarize(latencyMs: Float64Array, elapsedMs: number, concurrency: number): LoopSummary {
  const sorted = latencyMs.slice().sort();
  let total = 0;
  for (const value of sorted) total += value;
  const us = (ms: number) => round(ms * 1000);
  return {
    calls: sorted.length,
    concurrency,
    p50Us: us(percentile(sorted, 50)),
    p90Us: us(percentile(sorted, 90)),
    p99Us: us(percentile(sorted, 99)),
    maxUs: us(sorted[sorted.length - 1] ?? 0),
    meanUs: us(sorted.length === 0 ? 0 : total / sorted.length),
    elapsedMs: round(elapsedMs),
    callsPerSec: Math.round(sorted.length / (elapsedMs / 1000)),
  };
}

/** The benchmark payload: small, as most bus calls are. */
const ECHO_PARAMS = { msg: 'hello' } as const;

/** A MeasuredCall that sends ECHO_PARAMS through `send` and checks that `msg` comes back. */
export function echoCall(send: (params: { msg: string }) => Promise<unknown>): MeasuredCall {
  return async () => {
    const result = (await send({ msg: ECHO_PARAMS.msg })) as { msg?: unknown } | null;
    if (result?.msg !== ECHO_PARAMS.msg) throw new Error(`echo answered ${JSON.stringify(result)?.slice(0, 200)}`);
  };
}
