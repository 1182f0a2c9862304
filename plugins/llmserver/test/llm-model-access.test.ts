import { ErrorCode } from '@cyberstudio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busErrorOf, startLlm, type LlmHarness } from './support/llm-harness.ts';

// Model administration changes what every user gets: only admins, plugins and the kernel may do it.
const developer = { kind: 'user' as const, id: 'u-dev', roles: ['developer'] };
const admin = { kind: 'user' as const, id: 'u-admin', roles: ['admin'] };
let llm: LlmHarness;

beforeAll(async () => {
  llm = await startLlm();
});
afterAll(() => llm?.close());

describe('who may administer models', () => {
  it.each([
    ['llm.models.load', { id: 'tiny-llama' }],
    ['llm.models.unload', { id: 'tiny-llama' }],
    ['llm.models.delete', { id: 'tiny-llama' }],
    ['llm.models.validate', { id: 'tiny-llama' }],
    ['llm.models.download', { source: 'hf:owner/repo/model.gguf' }],
  ])('refuses %s to a user who is not an admin', async (capability, params) => {
    const error = await busErrorOf(llm.plugin.call(capability, params, { caller: developer }));

    expect(error.code).toBe(ErrorCode.Forbidden);
    expect(error.message).toBe(`${capability} administers models: only admins may call it`);
  });

  it('lets an admin load a model and any user list them', async () => {
    const loaded = await llm.plugin.call<{ state: string }>('llm.models.load', { id: 'tiny-llama' }, { caller: admin });
    const list = await llm.plugin.call<{ models: { id: string; state: string }[] }>('llm.models.list', {}, { caller: developer });

    expect(loaded.state).toBe('loaded');
    expect(list.models).toContainEqual(expect.objectContaining({ id: 'tiny-llama', state: 'loaded' }));
  });
});
