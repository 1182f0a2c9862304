import { ErrorCode } from '@cyberstudio/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import type { GenerationResult } from '../src/capabilities/generation-meter.ts';
import { busErrorOf, startLlm, type LlmHarness } from './support/llm-harness.ts';

// Without an auth plugin (this in-process kernel has none), what each metering mode does with a user's call.
const user = { kind: 'user' as const, id: 'u-1', roles: ['developer'] };
const params = { messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 };
let llm: LlmHarness | undefined;

afterEach(async () => {
  await llm?.close();
  llm = undefined;
});

describe('metering modes without a plugin providing auth.usage.reserve', () => {
  it('serves a user unmetered with metering auto', async () => {
    llm = await startLlm({ metering: 'auto' });

    const result = await llm.plugin.call<GenerationResult>('llm.chat', params, { caller: user });

    expect(result.usage.completionTokens).toBe(2);
  });

  it('refuses a user with PluginNotRunning naming the missing metering with metering required', async () => {
    llm = await startLlm({ metering: 'required' });

    const error = await busErrorOf(llm.plugin.call('llm.chat', params, { caller: user }));

    expect(error.code).toBe(ErrorCode.PluginNotRunning);
    expect(error.message).toMatch(/Metering is required .* no plugin provides auth\.usage\.reserve/);
  });

  it('still serves plugin and kernel callers with metering required: only users are metered', async () => {
    llm = await startLlm({ metering: 'required' });

    const result = await llm.plugin.call<GenerationResult>('llm.chat', params, { caller: { kind: 'plugin', name: 'repoagent' } });

    expect(result.usage.completionTokens).toBe(2);
  });
});
