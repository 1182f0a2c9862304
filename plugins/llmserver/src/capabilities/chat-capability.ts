import { defineCapability, type CapabilitySpec } from '@cyberstudio/sdk';
import type { ChatHistoryItem } from 'node-llama-cpp';
import { nodeLlamaCpp } from '../models/lazy-llama.ts';
import type { LlmState } from '../llm-state.ts';
import type { GenerationResult } from './generation-meter.ts';
import { generationResultSchema, plannedMaxTokens, samplingProperties, type SamplingParams } from './generation-options.ts';
import { prepareGeneration } from './generation-setup.ts';
import { generationOutcome, recorded } from './recorded-call.ts';
import { generateRemote } from '../remote/remote-generation.ts';
import type { GenerationCall } from '../metering/generation-bill.ts';

/** One chat message. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Params of llm.chat. */
export interface ChatParams extends SamplingParams {
  messages: ChatMessage[];
}

const CAPABILITY = 'llm.chat';

/** `llm.chat`: the model's next assistant message for a conversation, streamed as `{ text }` chunks. */
export function chatCapability(state: LlmState): Record<string, CapabilitySpec> {
  return {
    [CAPABILITY]: defineCapability<ChatParams, GenerationResult>({
      description:
        "Answers a conversation with the model's next assistant message, formatted with the model's chat template. " +
        'Streams `{ text }` chunks as tokens are generated; their concatenation is the final `text`. ' +
        'A prompt that does not fit the context is refused (-32007), never truncated.',
      params: {
        type: 'object',
        properties: {
          messages: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              properties: { role: { enum: ['system', 'user', 'assistant'] }, content: { type: 'string' } },
              required: ['role', 'content'],
              additionalProperties: false,
            },
          },
          ...samplingProperties,
        },
        required: ['messages'],
        additionalProperties: false,
      },
      result: generationResultSchema,
      stream: true,
      handler: (params, ctx) => generateChat(state, CAPABILITY, params, ctx, (chunk) => ctx.progress(chunk)),
    }),
  };
}

/**
 * Runs one chat generation (llm.chat and llm.openai.chat): resolves and acquires the model, checks
 * the prompt fits, meters it through auth, streams `{ text }` chunks to `progress` (when given) and
 * records it in the interaction log. Errors name `capability` and the fields of ChatParams.
 */
export function generateChat(
  state: LlmState, capability: string, params: ChatParams, call: GenerationCall, progress?: (chunk: { text: string }) => void,
): Promise<GenerationResult> {
  const what = { capability, model: params.model, prompt: params.messages, stream: progress !== undefined };
  return recorded(state, call, what, (resolved) => chat(state, capability, params, call, progress, resolved), generationOutcome);
}

async function chat(
  state: LlmState, capability: string, params: ChatParams, call: GenerationCall, progress: ((chunk: { text: string }) => void) | undefined,
  resolved: (model: string) => void,
): Promise<GenerationResult> {
  const remote = state.remoteModel(params.model);
  if (remote) {
    resolved(remote.id);
    const promptText = params.messages.map((message) => message.content).join('\n');
    return generateRemote(state, remote, capability, params, promptText, call, progress, (sampling, onText) =>
      remote.chat({ ...sampling, messages: params.messages }, { signal: call.signal, onText, capability }));
  }
  const { model, modelId, settings, run } = await prepareGeneration(state, capability, params, call, progress);
  resolved(modelId);
  // An empty model turn at the end is where the answer goes.
  const history: ChatHistoryItem[] = [...params.messages.map(historyItem), { type: 'model', response: [] }];
  const promptTokens = model.chatWrapper.generateContextState({ chatHistory: history }).contextText.tokenize(model.model.tokenizer).length;
  const maxTokens = plannedMaxTokens(capability, 'messages', promptTokens, model.contextSize, params.max_tokens, settings);
  // The model is loaded, so node-llama-cpp is too: this import resolves at once.
  const { LlamaChat } = await nodeLlamaCpp();
  return run(promptTokens, maxTokens, async (sequence, options) => {
    const chat = new LlamaChat({ contextSequence: sequence, chatWrapper: model.chatWrapper });
    try {
      const response = await chat.generateResponse(history, { ...options, contextShift: { strategy: refuseContextShift } });
      return { text: response.response, stopReason: response.metadata.stopReason };
    } finally {
      chat.dispose();
    }
  });
}

function historyItem(message: ChatMessage): ChatHistoryItem {
  switch (message.role) {
    case 'system':
      return { type: 'system', text: message.content };
    case 'user':
      return { type: 'user', text: message.content };
    case 'assistant':
      return { type: 'model', response: [message.content] };
    default:
      return message.role satisfies never;
  }
}

/** The prompt was checked to fit; a context shift would silently drop messages, so it must never happen. */
function refuseContextShift(): never {
  throw new Error('llmserver chat: the context is full; refusing to drop messages to make room');
}
