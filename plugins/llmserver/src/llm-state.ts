import type { PluginLogger } from '@cyberstudio/sdk';
import type { Llama } from 'node-llama-cpp';
import type { LlmConfig, ModelSettings } from './llm-config.ts';
import { invalidParam, unknownModel } from './llm-errors.ts';
import { ModelPool, type ModelState, type UsableRecord } from './models/model-pool.ts';
import { ModelRegistry, type ModelRecord } from './models/model-registry.ts';

/** A model as llm.models.list shows it. */
export interface ModelEntry {
  id: string;
  name: string;
  file: string;
  sizeBytes: number;
  architecture: string | null;
  parameters: number | null;
  quantization: string | null;
  contextLength: number | null;
  state: ModelState;
  error?: string;
  /** Estimated RAM, while loaded. */
  ramBytes?: number;
}

/** What llmserver's capabilities share: the config, node-llama-cpp, the models folder and the models in memory (from `init` to `dispose`). */
export class LlmState {
  config: LlmConfig & { modelsDir: string };
  #llama: Llama | undefined;
  #registry: ModelRegistry | undefined;
  #pool: ModelPool | undefined;

  constructor(config: LlmConfig & { modelsDir: string }) {
    this.config = config;
  }

  /** Starts serving: `llama` is the loaded node-llama-cpp binding. */
  attach(llama: Llama, log: PluginLogger): void {
    this.#llama = llama;
    this.#registry = new ModelRegistry(this.config.modelsDir);
    this.#pool = new ModelPool(llama, () => this.config, log);
  }

  get llama(): Llama {
    if (!this.#llama) throw new Error('llmserver is not initialized');
    return this.#llama;
  }

  get registry(): ModelRegistry {
    if (!this.#registry) throw new Error('llmserver is not initialized');
    return this.#registry;
  }

  get pool(): ModelPool {
    if (!this.#pool) throw new Error('llmserver is not initialized');
    return this.#pool;
  }

  /** The admin settings of a model (config `models.<id>`), empty when it has none. */
  settingsOf(id: string): ModelSettings {
    return this.config.models[id] ?? {};
  }

  /**
   * The model a call names in `field`, or the default one when it names none: the only loaded
   * model, else the first usable model by id. Throws -32007 for an unknown or unusable model.
   */
  async resolveModel(capability: string, field: string, id: string | undefined): Promise<UsableRecord> {
    if (id === undefined) return this.#defaultModel(capability, field);
    const record = await this.registry.find(id);
    if (!record) throw unknownModel(capability, field, id, this.registry.directory);
    return usable(capability, field, record);
  }

  /** The list entry of a model, with its state in the pool. */
  entryOf(record: ModelRecord): ModelEntry {
    const { info } = record;
    const base = {
      id: record.id,
      name: info?.name ?? record.id,
      file: record.file,
      sizeBytes: record.sizeBytes,
      architecture: info?.architecture ?? null,
      parameters: info?.parameterCount ?? null,
      quantization: info?.quantization ?? null,
      contextLength: info?.contextLength ?? null,
    };
    if (record.error !== undefined) return { ...base, state: 'failed', error: record.error };
    return { ...base, ...this.pool.stateOf(record.id) };
  }

  /** Unloads every model and releases node-llama-cpp. Idempotent. */
  async dispose(): Promise<void> {
    const pool = this.#pool;
    const llama = this.#llama;
    this.#pool = undefined;
    this.#llama = undefined;
    await pool?.dispose();
    await llama?.dispose();
  }

  async #defaultModel(capability: string, field: string): Promise<UsableRecord> {
    const loaded = this.pool.loaded();
    if (loaded.length === 1) {
      const record = this.registry.get(loaded[0]!.id);
      if (record) return usable(capability, field, record);
    }
    const records = this.registry.records().length > 0 ? this.registry.records() : await this.registry.scan();
    const first = records.find((record) => record.error === undefined && record.info !== undefined);
    if (!first) throw invalidParam(capability, field, `is required: there is no usable model in ${this.registry.directory}`);
    return first as UsableRecord;
  }
}

function usable(capability: string, field: string, record: ModelRecord): UsableRecord {
  if (record.error !== undefined || record.info === undefined) {
    throw invalidParam(capability, field, `names model '${record.id}', which cannot be used: ${record.error ?? 'its header was not read'}`, { model: record.id });
  }
  return record as UsableRecord;
}
