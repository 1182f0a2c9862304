import { isDeepStrictEqual } from 'node:util';
import type { PluginServices } from '@cyberstudio/sdk';
import { openInteractionLog } from './interactions/interaction-log.ts';
import { resolveLlmConfig, type LlmConfig } from './llm-config.ts';
import { invalidParam } from './llm-errors.ts';
import type { LlmState } from './llm-state.ts';

/**
 * Applies a new config without a restart (the SDK's `configure` hook), so loaded models stay in
 * memory: per-model settings, metering, costs, the idle time and the RAM budget apply to the next
 * call or load; `threads`, `contextSize`, `sequences` and `queueLimit` to models loaded from now on; a
 * changed interactionLog section reopens the log. A new `modelsDir` is refused: the models in
 * memory came from the old folder, so it needs a stop and start.
 */
export async function applyLiveConfig(state: LlmState, config: Partial<LlmConfig>, services: Pick<PluginServices, 'dataDir' | 'log'>): Promise<void> {
  const next = resolveLlmConfig(config, services.dataDir);
  if (next.modelsDir !== state.config.modelsDir) {
    throw invalidParam('configure', 'modelsDir', `cannot change while llmserver runs (${state.config.modelsDir} -> ${next.modelsDir}): stop the plugin, change it, and start it again`);
  }
  if (!isDeepStrictEqual(next.interactionLog, state.config.interactionLog)) {
    // One connection owns the file at a time: close the old log before opening it with the new settings.
    await state.interactions?.close();
    state.interactions = undefined;
    try {
      state.interactions = await openInteractionLog(services.dataDir, next.interactionLog, services.log);
    } catch (error) {
      state.interactions = await openInteractionLog(services.dataDir, state.config.interactionLog, services.log);
      throw error;
    }
  }
  state.config = next;
  services.log.info({ models: Object.keys(next.models) }, 'llmserver config applied live');
}
