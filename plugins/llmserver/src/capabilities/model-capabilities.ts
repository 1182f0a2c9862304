import { defineCapability, type CapabilitySpec } from '@cyberstudio/sdk';
import { assertModelAdmin, remoteModelRefused, unknownModel } from '../llm-errors.ts';
import type { LlmStatus, LoadedModelStatus, ModelEntry } from '../llm-answers.ts';
import type { LlmState } from '../llm-state.ts';

export type { LlmStatus, LoadedModelStatus } from '../llm-answers.ts';

const nullable = (type: string) => ({ type: [type, 'null'] });
const entrySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' }, name: { type: 'string' }, file: { type: 'string' }, sizeBytes: { type: 'integer' },
    architecture: nullable('string'), parameters: nullable('integer'), quantization: nullable('string'), contextLength: nullable('integer'),
    state: { enum: ['unloaded', 'loading', 'loaded', 'failed', 'downloading', 'remote'] }, error: { type: 'string' }, ramBytes: { type: 'integer' },
    kind: { enum: ['local', 'remote'] },
    costPerToken: { oneOf: [{ type: 'null' }, { type: 'object', properties: { prompt: { type: 'number' }, completion: { type: 'number' } }, required: ['prompt', 'completion'] }] },
    provider: { type: 'object', properties: { host: { type: 'string' }, model: { type: 'string' } }, required: ['host', 'model'] },
    downloadedBytes: { type: 'integer' }, totalBytes: nullable('integer'),
  },
  required: ['id', 'kind', 'name', 'file', 'sizeBytes', 'architecture', 'parameters', 'quantization', 'contextLength', 'state', 'costPerToken'],
} as const;
const idParams = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 200 } }, required: ['id'], additionalProperties: false } as const;
const noParams = { type: 'object', additionalProperties: false } as const;

/** `llm.models.list`, `.get`, `.load`, `.unload` and `llm.status`. */
export function modelCapabilities(state: LlmState): Record<string, CapabilitySpec> {
  return {
    'llm.models.list': defineCapability<Record<string, never>, { directory: string; models: ModelEntry[] }>({
      description: 'Every remote model of the config (state remote), every `.gguf` file in the models folder (read again on each call; unchanged files are not re-read) and every model being downloaded (state downloading, with downloadedBytes and totalBytes), sorted by id, with its state.',
      params: noParams,
      result: { type: 'object', properties: { directory: { type: 'string' }, models: { type: 'array', items: entrySchema } }, required: ['directory', 'models'] },
      async handler() {
        const records = await state.registry.scan();
        return { directory: state.registry.directory, models: state.entries(records) };
      },
    }),

    'llm.models.get': defineCapability<{ id: string }, ModelEntry>({
      description: 'One model by id: a remote model of the config, or a file of the models folder (the file name without .gguf).',
      params: idParams,
      result: entrySchema,
      async handler({ id }) {
        const remote = state.remoteModel(id);
        if (remote) return state.remoteEntry(remote);
        await state.registry.scan();
        const record = state.registry.get(id);
        const entry = record ? state.entryOf(record) : state.downloadingEntry(id);
        if (!entry) throw unknownModel('llm.models.get', 'id', id, state.registry.directory);
        return entry;
      },
    }),

    'llm.models.load': defineCapability<{ id: string }, ModelEntry>({
      description: 'Admins: loads a model now (calls load it on first use anyway), unloading least recently used idle models when the RAM budget needs room.',
      params: idParams,
      result: entrySchema,
      async handler({ id }, ctx) {
        assertModelAdmin(ctx.caller, 'llm.models.load');
        if (state.remoteModel(id)) throw remoteModelRefused('llm.models.load', id);
        const record = await state.resolveModel('llm.models.load', 'id', id);
        await state.pool.acquire(record);
        return state.entryOf(record);
      },
    }),

    'llm.models.unload': defineCapability<{ id: string }, { id: string; unloaded: boolean }>({
      description: 'Admins: unloads a model and frees its memory. Its running calls end with ShuttingDown (-32011); `unloaded` is false when it was not loaded.',
      params: idParams,
      result: { type: 'object', properties: { id: { type: 'string' }, unloaded: { type: 'boolean' } }, required: ['id', 'unloaded'] },
      async handler({ id }, ctx) {
        assertModelAdmin(ctx.caller, 'llm.models.unload');
        if (state.remoteModel(id)) throw remoteModelRefused('llm.models.unload', id);
        const unloaded = await state.pool.unload(id);
        if (!unloaded && !(await state.registry.find(id))) throw unknownModel('llm.models.unload', 'id', id, state.registry.directory);
        return { id, unloaded };
      },
    }),

    'llm.status': defineCapability<Record<string, never>, LlmStatus>({
      description: 'The models in memory (loaded or loading) with their estimated RAM, contexts, running and waiting calls; the RAM budget and threads.',
      params: noParams,
      result: {
        type: 'object',
        properties: {
          models: { type: 'array', items: { type: 'object', required: ['id', 'state', 'ramBytes', 'contexts', 'active', 'queued'] } },
          ramBudgetBytes: { type: 'integer' }, ramUsedBytes: { type: 'integer' }, threads: { type: 'integer' }, modelsDir: { type: 'string' },
        },
        required: ['models', 'ramBudgetBytes', 'ramUsedBytes', 'threads', 'modelsDir'],
      },
      handler() {
        const { pool } = state;
        const loaded: LoadedModelStatus[] = pool.loaded().map((model) => ({
          id: model.id, state: 'loaded', ramBytes: model.ramBytes, contexts: model.contexts, contextSize: model.contextSize, sequences: model.sequences,
          threads: model.threads, active: model.slots.active, queued: model.slots.queued, lastUsedAt: model.lastUsedAt,
        }));
        const loading: LoadedModelStatus[] = pool.loading().map(({ id, reservedBytes }) => ({
          id, state: 'loading', ramBytes: reservedBytes, contexts: 0, contextSize: null, sequences: null, threads: null, active: 0, queued: 0, lastUsedAt: null,
        }));
        return { models: [...loaded, ...loading], ramBudgetBytes: pool.ramBudgetBytes, ramUsedBytes: pool.usedBytes(), threads: state.config.threads, modelsDir: state.config.modelsDir };
      },
    }),
  };
}
