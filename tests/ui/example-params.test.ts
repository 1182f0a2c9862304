// The try-it panel starts from these examples and the Capabilities tab offers them to copy, so
// each must be a call the capability accepts and can do something with.
import AjvModule from 'ajv';
import { describe, expect, it } from 'vitest';
import { chatCapability } from '../../plugins/llmserver/src/capabilities/chat-capability.ts';
import type { LlmState } from '../../plugins/llmserver/src/llm-state.ts';
import { exampleParams } from '../../ui/src/components/capabilities/example-params.ts';

const Ajv = AjvModule.default;

describe('example params', () => {
  it("makes llm.chat's example a valid call whose messages include a user's message", () => {
    // The schema is static; the state is used only when the handler runs.
    const schema = chatCapability(undefined as unknown as LlmState)['llm.chat']!.params as Record<string, unknown>;

    const example = JSON.parse(exampleParams(schema)) as { messages: Array<{ role: string; content: string }> };

    expect(new Ajv({ strict: false }).validate(schema, example)).toBe(true);
    expect(example.messages.some((message) => message.role === 'user' && message.content.length > 0)).toBe(true);
  });

  it('keeps the required properties of other objects, with placeholders of their types', () => {
    const schema = { type: 'object', properties: { count: { type: 'integer', minimum: 1 }, name: { type: 'string' }, note: { type: 'string' } }, required: ['count', 'name'] };

    expect(JSON.parse(exampleParams(schema))).toEqual({ count: 1, name: '' });
  });
});
