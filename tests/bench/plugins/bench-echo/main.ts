// bench-echo: the provider side of the benchmark. An SDK plugin whose one capability returns its
// params, so a measured call costs exactly the bus and the SDK, not the work.
import { defineCapability, definePlugin } from '@cyberstudio/sdk';
import { runPlugin } from '@cyberstudio/sdk/node';

interface EchoParams {
  msg: string;
}

/** `benchecho.echo`: answers with the params it was given. */
const echo = defineCapability<EchoParams, EchoParams>({
  description: 'Returns its params unchanged.',
  params: { type: 'object', properties: { msg: { type: 'string' } }, required: ['msg'] },
  result: { type: 'object', properties: { msg: { type: 'string' } }, required: ['msg'] },
  handler: (params) => params,
});

runPlugin(definePlugin({ name: 'bench-echo', version: '0.1.0', capabilities: { 'benchecho.echo': echo } }));
