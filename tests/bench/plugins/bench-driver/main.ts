// bench-driver: the caller side of the plugin -> kernel -> plugin benchmark. It makes the calls
// with ctx.call from inside a plugin, as any plugin calls another, and times each one here, so
// the figures include both stdio hops and the kernel in between.
import { defineCapability, definePlugin } from '@cyberstudio/sdk';
import { runPlugin } from '@cyberstudio/sdk/node';
import { echoCall, measureLoop, type LoopSummary } from '../../lib/call-loops.ts';

interface RunParams {
  capability: string;
  n: number;
  concurrency: number;
  warmup: number;
}

/** `benchdriver.run`: `warmup` then `n` calls of an echo capability, `concurrency` in flight; returns the latency summary. */
const run = defineCapability<RunParams, LoopSummary>({
  description: 'Calls an echo capability n times after warmup calls, concurrency in flight, and returns p50/p99 latency (µs) and calls/s.',
  params: {
    type: 'object',
    properties: {
      capability: { type: 'string' },
      n: { type: 'integer', minimum: 1 },
      concurrency: { type: 'integer', minimum: 1 },
      warmup: { type: 'integer', minimum: 0 },
    },
    required: ['capability', 'n', 'concurrency', 'warmup'],
    additionalProperties: false,
  },
  result: { type: 'object', required: ['p50Us', 'p99Us', 'callsPerSec'] },
  handler: ({ capability, n, concurrency, warmup }, ctx) =>
    measureLoop(echoCall((params) => ctx.call(capability, params)), { n, warmup, concurrency }),
});

runPlugin(definePlugin({ name: 'bench-driver', version: '0.1.0', capabilities: { 'benchdriver.run': run } }));
