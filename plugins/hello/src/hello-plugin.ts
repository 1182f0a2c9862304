import { defineCapability, definePlugin } from '@cyberstudio/sdk';

interface EchoParams {
  [key: string]: unknown;
}

interface StreamParams {
  count: number;
  text?: string;
  intervalMs?: number;
}

/** `hello.echo`: answers with exactly the params it was given. */
const echo = defineCapability<EchoParams, EchoParams>({
  description: 'Returns its params unchanged.',
  params: { type: 'object' },
  result: { type: 'object' },
  handler: (params) => params,
});

/** `hello.stream`: streams `count` chunks, then returns how many it sent. */
const stream = defineCapability<StreamParams, { sent: number }>({
  description: 'Streams `count` chunks ("<text> <i>") as progress, then returns { sent }.',
  params: {
    type: 'object',
    properties: {
      count: { type: 'integer', minimum: 0, maximum: 100000 },
      text: { type: 'string', default: 'chunk' },
      intervalMs: { type: 'integer', minimum: 0, maximum: 60000 },
    },
    required: ['count'],
    additionalProperties: false,
  },
  result: {
    type: 'object',
    properties: { sent: { type: 'integer' } },
    required: ['sent'],
  },
  stream: true,
  async handler({ count, text = 'chunk', intervalMs = 0 }, ctx) {
    for (let i = 0; i < count; i++) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      ctx.progress({ index: i, text: `${text} ${i}` });
      if (intervalMs > 0) await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
    return { sent: count };
  },
});

/** The example plugin every author reads first. */
export const helloPlugin = definePlugin({
  name: 'hello',
  version: '0.1.0',
  capabilities: { 'hello.echo': echo, 'hello.stream': stream },
});
