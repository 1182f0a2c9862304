import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { definePlugin, type PluginDefinition, type PluginLogger } from '@cyberstudio/sdk';
import type { Llama } from 'node-llama-cpp';
import { LazyLlama, nodeLlamaCpp } from './models/lazy-llama.ts';
import { chatCapability } from './capabilities/chat-capability.ts';
import { completeCapability } from './capabilities/complete-capability.ts';
import { embedCapability } from './capabilities/embed-capability.ts';
import { modelAdminCapabilities } from './capabilities/model-admin-capabilities.ts';
import { modelCapabilities } from './capabilities/model-capabilities.ts';
import { tokenizeCapability } from './capabilities/tokenize-capability.ts';
import { openAiCapabilities } from './openai/openai-capabilities.ts';
import { interactionCapabilities } from './interactions/interaction-capabilities.ts';
import { openInteractionLog } from './interactions/interaction-log.ts';
import { llmConfigSchema, resolveLlmConfig, type LlmConfig } from './llm-config.ts';
import { LlmState } from './llm-state.ts';
import { applyLiveConfig } from './live-config.ts';
import { modelRoutesCapability } from './http/model-routes.ts';
import { generateTinyModel } from './tiny-model/generate-tiny-model.ts';

/** File name of the tiny model written into an empty models folder. */
export const TINY_MODEL_FILE = 'tiny-llama.gguf';

/** Options of createLlmPlugin; tests replace how node-llama-cpp is loaded. */
export interface LlmPluginOptions {
  /** Loads node-llama-cpp; default: the prebuilt CPU binary, never a build, llama.cpp's warnings into `log`. */
  loadLlama?: (log: PluginLogger) => Promise<Llama>;
}

/** A plugin definition and the state its capabilities share (tests inspect the pool). */
export interface LlmPluginInstance {
  plugin: PluginDefinition<Partial<LlmConfig>>;
  state: LlmState;
}

/** The CPU binary shipped with node-llama-cpp; `build: 'never'` makes a missing one fail at once instead of compiling. */
export async function loadCpuLlama(log: PluginLogger): Promise<Llama> {
  const { LlamaLogLevel, getLlama } = await nodeLlamaCpp();
  return getLlama({
    gpu: false,
    build: 'never',
    logLevel: LlamaLogLevel.warn,
    logger: (level, message) => {
      const text = message.trim();
      if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) log.error({ source: 'llama.cpp' }, text);
      else log.warn({ source: 'llama.cpp' }, text);
    },
  });
}

/**
 * The llmserver plugin: local GGUF models on node-llama-cpp (CPU). Serves chat, completion,
 * embeddings and tokenization (also as OpenAI-compatible HTTP routes), and manages which models are in memory. Each call builds an
 * independent instance.
 */
export function createLlmPlugin({ loadLlama = loadCpuLlama }: LlmPluginOptions = {}): LlmPluginInstance {
  const state = new LlmState(resolveLlmConfig({}, '.'));
  const capabilities = {
    ...chatCapability(state),
    ...completeCapability(state),
    ...embedCapability(state),
    ...tokenizeCapability(state),
    ...modelCapabilities(state),
    ...modelAdminCapabilities(state),
    ...openAiCapabilities(state),
    ...interactionCapabilities(() => state.interactions),
  };
  const plugin = definePlugin<Partial<LlmConfig>>({
    name: 'llmserver',
    version: '0.1.0',
    configSchema: llmConfigSchema,
    capabilities: { ...capabilities, ...modelRoutesCapability(capabilities) },
    async init({ config, dataDir, log }) {
      state.config = resolveLlmConfig(config, dataDir);
      // Loaded when a model first needs it, not here: see lazy-llama.ts.
      state.attach(new LazyLlama(() => loadLlama(log)), log);
      try {
        await prepareModels(state, log);
        state.interactions = await openInteractionLog(dataDir, state.config.interactionLog, log);
      } catch (error) {
        await state.dispose();
        throw error;
      }
    },
    setup(services) {
      state.settlementBus = services;
    },
    configure: (config, services) => applyLiveConfig(state, config, services),
    async dispose() {
      // Models first: calls they were running still write their log entries, which close() then flushes.
      await state.dispose();
      await state.interactions?.close();
      state.interactions = undefined;
    },
  });
  return { plugin, state };
}

/** The llmserver plugin as the kernel runs it (src/main.ts). */
export const llmPlugin = createLlmPlugin().plugin;

/** Creates the models folder, and writes the tiny model into it when it holds no model and the config asks for it. */
async function prepareModels(state: LlmState, log: PluginLogger): Promise<void> {
  const { modelsDir, generateTinyModel: generate, threads } = state.config;
  await mkdir(modelsDir, { recursive: true });
  let records = await state.registry.scan();
  if (records.length === 0 && generate) {
    const tiny = await generateTinyModel(path.join(modelsDir, TINY_MODEL_FILE));
    log.info({ file: tiny.file, bytes: tiny.bytes, parameters: tiny.parameterCount }, 'no model in the models folder: generated the tiny test model (random weights, not a language model)');
    records = await state.registry.scan();
  }
  log.info({ modelsDir, models: records.map((record) => record.id), threads }, 'llmserver ready');
}
