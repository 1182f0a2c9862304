import { createEffect, createMemo, createSignal, onCleanup, type Accessor } from 'solid-js';
import { createStore, reconcile } from 'solid-js/store';
import { BusError, ErrorCode } from '@cyberstudio/sdk';
import type { KernelClient } from '../kernel-client.ts';
import type { PluginState, PluginSummary } from '../kernel-types.ts';
import type { LlmConfigView, LlmStatus, ModelEntry, ModelList } from '../models-types.ts';
import { createReloadSoon } from './reload-soon.ts';

/** The plugin that serves the models. */
export const LLM_PLUGIN = 'llmserver';

/** Whether llmserver can answer: still checking, serving, not registered, or registered but not running. */
export type LlmAvailability =
  | { status: 'checking' }
  | { status: 'ready' }
  | { status: 'absent' }
  | { status: 'not-running'; state: PluginState | 'unknown'; lastError: string | null };

/** The models page's live view of llmserver. `updatedAt` is when the list last matched the plugin (epoch ms). */
export interface ModelsStore {
  availability: Accessor<LlmAvailability>;
  /** Loaded and loading models first, then downloads, then the rest by id. */
  models: Accessor<ModelEntry[] | undefined>;
  directory: Accessor<string | undefined>;
  status: Accessor<LlmStatus | undefined>;
  /** llmserver's config in force, for admins (it holds the per-model limits); undefined for others. */
  config: Accessor<LlmConfigView | undefined>;
  configError: Accessor<unknown>;
  error: Accessor<unknown>;
  updatedAt: Accessor<number | undefined>;
  /** Reloads everything now; resolves when the answer is in. */
  refresh(): Promise<void>;
}

/** While a model loads or downloads its state changes with no event to tell us: ask this often. */
const BUSY_POLL_MS = 1000;

const ORDER: Record<ModelEntry['state'], number> = { loaded: 0, loading: 0, downloading: 1, unloaded: 2, failed: 2, remote: 2 };

/**
 * Loads llmserver's models (`llm.models.list`, `llm.status`, and for admins `kernel.plugins.get`
 * for the limits) and keeps them true: it reloads after a reconnect, when llmserver's state
 * changes, and every second while a model loads or downloads. It asks the kernel first whether
 * llmserver runs, because any `llm.*` call would start a stopped plugin: looking at the page must
 * not undo an operator's stop. Entries are reconciled by id, so rows keep open forms across reloads.
 */
export function createModelsStore(client: KernelClient, options: { admin: boolean }): ModelsStore {
  const [store, setStore] = createStore<{ models?: ModelEntry[] }>({});
  const [availability, setAvailability] = createSignal<LlmAvailability>({ status: 'checking' });
  const [directory, setDirectory] = createSignal<string>();
  const [status, setStatus] = createSignal<LlmStatus>();
  const [config, setConfig] = createSignal<LlmConfigView>();
  const [configError, setConfigError] = createSignal<unknown>();
  const [error, setError] = createSignal<unknown>();
  const [updatedAt, setUpdatedAt] = createSignal<number>();
  let generation = 0;
  let refreshing = 0;

  const readConfig = async (): Promise<LlmConfigView | undefined> => {
    if (!options.admin) return undefined;
    try {
      const detail = await client.call<PluginConfigDetail>('kernel.plugins.get', { plugin: LLM_PLUGIN });
      setConfigError(undefined);
      return configInForce(detail);
    } catch (failure) {
      setConfigError(failure);
      return undefined;
    }
  };

  const refresh = async () => {
    const mine = ++generation;
    refreshing++;
    try {
      const plugin = (await client.call<PluginSummary[]>('kernel.plugins.list')).find((entry) => entry.name === LLM_PLUGIN);
      if (mine !== generation) return;
      if (!plugin) return void settle({ status: 'absent' });
      if (!servable(plugin)) return void settle({ status: 'not-running', state: plugin.state, lastError: plugin.lastError });
      const [list, llmStatus, llmConfig] = await Promise.all([
        client.call<ModelList>('llm.models.list'),
        client.call<LlmStatus>('llm.status'),
        readConfig(),
      ]);
      if (mine !== generation) return;
      setStore('models', reconcile(sortModels(list.models), { key: 'id' }));
      setDirectory(list.directory);
      setStatus(llmStatus);
      if (llmConfig !== undefined) setConfig(llmConfig);
      settle({ status: 'ready' });
      setUpdatedAt(Date.now());
    } catch (failure) {
      if (mine !== generation) return;
      // Outside callers get an unknown capability as -32601, with the bus's -32001 in data.code.
      const unknownCapability = failure instanceof BusError && (failure.code === ErrorCode.CapabilityNotFound || (failure.code === ErrorCode.MethodNotFound && (failure.data as { code?: number } | undefined)?.code === ErrorCode.CapabilityNotFound));
      if (failure instanceof BusError && (failure.code === ErrorCode.PluginNotRunning || unknownCapability)) {
        const data = failure.data as { state?: PluginState } | undefined;
        settle({ status: 'not-running', state: data?.state ?? 'unknown', lastError: failure.message });
      } else setError(failure);
    } finally {
      refreshing--;
    }
  };
  const settle = (next: LlmAvailability) => {
    setAvailability(next);
    setError(undefined);
  };
  const reloadSoon = createReloadSoon(refresh);

  const busy = createMemo(() => store.models?.some((model) => model.state === 'loading' || model.state === 'downloading') ?? false);
  createEffect(() => {
    if (!busy()) return;
    // A tick while a refresh runs would supersede it: with answers slower than the tick, none would ever be shown.
    const timer = setInterval(() => refreshing === 0 && void refresh(), BUSY_POLL_MS);
    onCleanup(() => clearInterval(timer));
  });

  const subscription = client.subscribe({ topic: 'kernel.plugin.state', plugin: LLM_PLUGIN }, reloadSoon);
  const stopListening = client.onReconnect(() => void refresh());
  void refresh();

  onCleanup(() => {
    subscription.dispose();
    stopListening();
  });
  return { availability, models: () => store.models, directory, status, config, configError, error, updatedAt, refresh };
}

/** The part of `kernel.plugins.get` that holds a plugin's config. */
export interface PluginConfigDetail {
  /** The config in force (the last one setConfig accepted, else plugins.json's). */
  config?: LlmConfigView;
  manifest: { config?: LlmConfigView };
}

/** llmserver's config in force; `manifest.config` is plugins.json's, which a setConfig overrides. */
export function configInForce(detail: PluginConfigDetail): LlmConfigView {
  return detail.config ?? detail.manifest.config ?? {};
}

/** A running plugin answers; a stopped lazy one starts on the call, as it would for any caller. */
function servable(plugin: PluginSummary): boolean {
  if (plugin.state === 'running' || plugin.state === 'unhealthy') return true;
  return plugin.state === 'stopped' && plugin.activation === 'lazy' && plugin.enabled;
}

function sortModels(models: ModelEntry[]): ModelEntry[] {
  return [...models].sort((a, b) => ORDER[a.state] - ORDER[b.state] || a.id.localeCompare(b.id));
}
