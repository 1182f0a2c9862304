// bench-hold: the provider side of the kill -9 benchmark. `benchhold.hold` never answers on its
// own (it waits for its call to be cancelled), so calls pile up in flight until the benchmark
// kills this process; `benchhold.held` says how many arrived; `benchhold.echo` is a quick call.
import { defineCapability, definePlugin } from '@cyberstudio/sdk';
import { runPlugin } from '@cyberstudio/sdk/node';

let held = 0;

const hold = defineCapability<Record<string, never>, never>({
  description: 'Waits until the call is cancelled; never answers by itself.',
  params: { type: 'object' },
  result: {},
  handler: (_params, ctx) =>
    new Promise<never>((_resolve, reject) => {
      held += 1;
      ctx.signal.addEventListener('abort', () => {
        held -= 1;
        reject(ctx.signal.reason);
      }, { once: true });
    }),
});

const heldCount = defineCapability<Record<string, never>, { held: number }>({
  description: 'How many benchhold.hold calls are waiting.',
  params: { type: 'object' },
  result: { type: 'object', properties: { held: { type: 'integer' } }, required: ['held'] },
  handler: () => ({ held }),
});

const echo = defineCapability<Record<string, unknown>, Record<string, unknown>>({
  description: 'Returns its params unchanged.',
  params: { type: 'object' },
  result: { type: 'object' },
  handler: (params) => params,
});

runPlugin(definePlugin({ name: 'bench-hold', version: '0.1.0', capabilities: { 'benchhold.hold': hold, 'benchhold.held': heldCount, 'benchhold.echo': echo } }));
