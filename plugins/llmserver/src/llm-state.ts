import path from 'node:path';
import { BusError, ErrorCode, type PluginLogger } from '@cyberstudio/sdk';
import { ModelDownloads } from './download/downloads.ts';
import type { InteractionLog } from './interactions/interaction-log.ts';
import type { SettlementBus } from './metering/generation-bill.ts';
import { RemoteModels } from './remote/remote-models.ts';
import type { RemoteProvider } from './remote/remote-provider.ts';
import type { ModelEntry, ModelSettings } from './llm-answers.ts';
import type { LlmConfig } from './llm-config.ts';
import { invalidParam, unknownModel } from './llm-errors.ts';
import type { Llama } from 'node-llama-cpp';
import type { LazyLlama } from './models/lazy-llama.ts';
import { ModelPool, type UsableRecord } from './models/model-pool.ts';
import { MODEL_EXTENSION, ModelRegistry, type ModelRecord } from './models/model-registry.ts';

export type { ModelEntry } from './llm-answers.ts';

/** What llmserver's capabilities share: the config, node-llama-cpp, the models folder and the models in memory (from `init` to `dispose`). */
export class LlmState {
  config: LlmConfig & { modelsDir: string };
  /** Where finished generations are recorded; undefined when the log is disabled (config interactionLog.enabled). */
  interactions: InteractionLog | undefined;
  /** The plugin's own bus (from setup), outside any call: metering settles through it. */
  settlementBus: SettlementBus | undefined;
  #llama: LazyLlama | undefined;
  #registry: ModelRegistry | undefined;
  #pool: ModelPool | undefined;
  /** Downloads running now (llm.models.download), one per model id. */
  readonly downloads = new ModelDownloads();

  constructor(config: LlmConfig & { modelsDir: string }) {
    this.config = config;
  }

  /** Starts serving: `llama` loads the node-llama-cpp binding when a model first needs it. */
  attach(llama: LazyLlama, log: PluginLogger): void {
    this.#llama = llama;
    this.#registry = new ModelRegistry(this.config.modelsDir);
    this.#pool = new ModelPool(() => llama.get(), () => this.config, log);
  }

  /** The node-llama-cpp binding, loaded on the first call. */
  llama(): Promise<Llama> {
    if (!this.#llama) throw new Error('llmserver is not initialized');
    return this.#llama.get();
  }

  get registry(): ModelRegistry {
    if (!this.#registry) throw new Error('llmserver is not initialized');
    return this.#registry;
  }

  get pool(): ModelPool {
    if (!this.#pool) throw new Error('llmserver is not initialized');
    return this.#pool;
  }

  readonly #remote = new RemoteModels();

  /** The remote models of the config in force. */
  remoteModels(): ReadonlyMap<string, RemoteProvider> {
    return this.#remote.of(this.config.remote);
  }

  /** The remote model of that id, or undefined (no id names the default model, which is always local). */
  remoteModel(id: string | undefined): RemoteProvider | undefined {
    return id === undefined ? undefined : this.remoteModels().get(id);
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
      kind: 'local' as const,
      costPerToken: this.settingsOf(record.id).costPerToken ?? null,
      name: info?.name ?? record.id,
      file: record.file,
      sizeBytes: record.sizeBytes,
      architecture: info?.architecture ?? null,
      parameters: info?.parameterCount ?? null,
      quantization: info?.quantization ?? null,
      contextLength: info?.contextLength ?? null,
    };
    const download = this.#downloadFields(record.id);
    if (record.error !== undefined) return { ...base, state: 'failed', error: record.error, ...download };
    return { ...base, ...this.pool.stateOf(record.id), ...download };
  }

  /** The entry of a model being downloaded that has no file yet (state 'downloading'), else undefined. */
  downloadingEntry(id: string): ModelEntry | undefined {
    const download = this.downloads.get(id);
    if (!download) return undefined;
    return {
      id, kind: 'local', costPerToken: this.settingsOf(id).costPerToken ?? null,
      name: id, file: path.join(this.config.modelsDir, `${id}${MODEL_EXTENSION}`), sizeBytes: download.downloadedBytes,
      architecture: null, parameters: null, quantization: null, contextLength: null, state: 'downloading', ...this.#downloadFields(id),
    };
  }

  /** The list entry of a remote model: always usable, nothing in memory; `file` is its base URL. */
  remoteEntry(provider: RemoteProvider): ModelEntry {
    return {
      id: provider.id, kind: 'remote', costPerToken: this.settingsOf(provider.id).costPerToken ?? null,
      name: provider.config.model, file: provider.config.baseUrl, sizeBytes: 0,
      architecture: null, parameters: null, quantization: null, contextLength: provider.config.contextLength ?? null,
      state: 'remote', provider: { host: provider.host, model: provider.config.model },
    };
  }

  /** The entries of the remote models, of `records` (a file with a remote model's id is left out: the remote entry wins) and of downloads with no file yet, sorted by id. */
  entries(records: readonly ModelRecord[]): ModelEntry[] {
    const remote = this.remoteModels();
    const entries = [...remote.values()].map((provider) => this.remoteEntry(provider));
    entries.push(...records.filter((record) => !remote.has(record.id)).map((record) => this.entryOf(record)));
    for (const download of this.downloads.list()) {
      if (!records.some((record) => record.id === download.id)) entries.push(this.downloadingEntry(download.id)!);
    }
    return entries.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Stops downloads (their partial files stay), unloads every model and releases node-llama-cpp. Idempotent. */
  async dispose(): Promise<void> {
    const pool = this.#pool;
    const llama = this.#llama;
    this.#pool = undefined;
    this.#llama = undefined;
    await this.downloads.stopAll(new BusError(ErrorCode.ShuttingDown, 'llmserver is stopping; the partial download is kept for a resume', { plugin: 'llmserver', reason: 'shutting-down' }));
    await pool?.dispose();
    await llama?.dispose();
  }

  #downloadFields(id: string): Pick<ModelEntry, 'downloadedBytes' | 'totalBytes'> {
    const download = this.downloads.get(id);
    return download ? { downloadedBytes: download.downloadedBytes, totalBytes: download.totalBytes } : {};
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
