import type { CapabilitySpec } from '@cyberstudio/sdk';
import { generateChat, type ChatMessage } from '../capabilities/chat-capability.ts';
import type { LlmState } from '../llm-state.ts';
import { badRequest } from './openai-errors.ts';
import type { GenerationShape } from './openai-generation.ts';
import { generationEndpoint } from './openai-generation-endpoint.ts';
import type { OpenAiBody } from './openai-request.ts';

const CHAT: GenerationShape = {
  idPrefix: 'chatcmpl-',
  object: 'chat.completion',
  chunkObject: 'chat.completion.chunk',
  choice: (text, finishReason) => ({ index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: finishReason }),
  chunkChoice: ({ opening, text, finishReason }) => ({
    index: 0,
    delta: opening ? { role: 'assistant', content: '' } : text !== undefined ? { content: text } : {},
    logprobs: null,
    finish_reason: finishReason ?? null,
  }),
  opens: true,
};

/** `llm.openai.chat`: OpenAI's `POST /v1/chat/completions` on llm.chat's generation, as JSON or Server-Sent Events. */
export function openAiChatCapability(state: LlmState): Record<string, CapabilitySpec> {
  return generationEndpoint(state, {
    capability: 'llm.openai.chat',
    description:
      'POST /v1/chat/completions (OpenAI-compatible): a chat.completion object, or with `"stream": true` chat.completion.chunk ' +
      'events ending with `data: [DONE]`. Errors come in OpenAI\'s shape with their HTTP status.',
    shape: CHAT,
    read: (body) => ({ messages: messagesOf(body.messages) }),
    generate: (params, ctx, onText) => generateChat(state, 'llm.openai.chat', params, ctx, onText),
  });
}

/**
 * OpenAI's messages as llm.chat's: roles system, developer (as system), user and assistant; content
 * a string, an array of text parts (joined), or null for an assistant turn. Tools are not supported.
 */
function messagesOf(messages: unknown): ChatMessage[] {
  if (!Array.isArray(messages) || messages.length === 0) throw badRequest('messages', "'messages' must be a non-empty array of messages");
  return messages.map((message: unknown, index) => {
    const param = `messages[${index}]`;
    if (typeof message !== 'object' || message === null || Array.isArray(message)) throw badRequest(param, `'${param}' must be an object with 'role' and 'content'`);
    const { role, content } = message as OpenAiBody;
    if (role !== 'system' && role !== 'developer' && role !== 'user' && role !== 'assistant') {
      throw badRequest(`${param}.role`, `'${param}.role' must be 'system', 'developer', 'user' or 'assistant', not ${JSON.stringify(role)}`);
    }
    return { role: role === 'developer' ? 'system' : role, content: contentOf(content, role, param) };
  });
}

function contentOf(content: unknown, role: string, param: string): string {
  if (typeof content === 'string') return content;
  if ((content === null || content === undefined) && role === 'assistant') return '';
  if (Array.isArray(content) && content.every((part) => typeof part === 'object' && part !== null && part.type === 'text' && typeof part.text === 'string')) {
    return content.map((part: { text: string }) => part.text).join('');
  }
  throw badRequest(`${param}.content`, `'${param}.content' must be a string or an array of text parts ({ type: 'text', text })`);
}
