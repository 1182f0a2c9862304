import type { CapabilitySpec } from '@cyberstudio/sdk';
import type { LlmState } from '../llm-state.ts';
import { openAiChatCapability } from './openai-chat.ts';
import { openAiCompletionsCapability } from './openai-completions.ts';
import { openAiEmbeddingsCapability } from './openai-embeddings.ts';
import { openAiModelsCapability } from './openai-models.ts';

/** The routes plugins.json maps to the OpenAI capabilities (`http.routes` of the llmserver entry). */
export const OPENAI_ROUTES = {
  'POST /v1/chat/completions': 'llm.openai.chat',
  'POST /v1/completions': 'llm.openai.completions',
  'POST /v1/embeddings': 'llm.openai.embeddings',
  'GET /v1/models': 'llm.openai.models',
} as const;

/** The OpenAI-compatible route capabilities, all on llmserver's own generation and embedding code. */
export function openAiCapabilities(state: LlmState): Record<string, CapabilitySpec> {
  return {
    ...openAiChatCapability(state),
    ...openAiCompletionsCapability(state),
    ...openAiEmbeddingsCapability(state),
    ...openAiModelsCapability(state),
  };
}
