// The shapes of llmserver's answers that clients read (the studio's Models page among them).
// No imports, Node's least of all: the studio's browser build checks against these types.

/** Where a model is in its life; 'failed' covers files that cannot be used and loads that failed; 'downloading' is a download with no file yet. */
export type ModelState = 'unloaded' | 'loading' | 'loaded' | 'failed' | 'downloading';

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
  /** `remote` for a model of the config's `remote` section (served by an OpenAI-compatible provider). */
  state: ModelState | 'remote';
  /** `local`: a GGUF file of the models folder; `remote`: a provider's model. */
  kind: 'local' | 'remote';
  /** The admin's price (config models.<id>.costPerToken, in costCurrency), or null. */
  costPerToken: { prompt: number; completion: number } | null;
  /** For a remote model: the provider's host and its name for the model. */
  provider?: { host: string; model: string };
  error?: string;
  /** Estimated RAM, while loaded. */
  ramBytes?: number;
  /** While llm.models.download writes this id: bytes so far and the expected total (null when the server did not say). */
  downloadedBytes?: number;
  totalBytes?: number | null;
}

/** Admin defaults and limits for one model, under `models.<id>` in the config. */
export interface ModelSettings {
  /** Default and ceiling of `max_tokens`; a request asking for more is refused. */
  maxTokens?: number;
  /** Tokens per sequence for this model, instead of the plugin-wide `contextSize`. */
  contextSize?: number;
  /** Threads for this model, instead of the plugin-wide `threads`. */
  threads?: number;
  /** Temperature used when a request names none. */
  temperature?: number;
  /** top_k used when a request names none. */
  topK?: number;
  /** What one token costs, in `costCurrency`; the interaction log and the model list show it. Metering charges tokens, not this. */
  costPerToken?: { prompt: number; completion: number };
}

/** A loaded (or loading) model in llm.status. */
export interface LoadedModelStatus {
  id: string;
  state: 'loading' | 'loaded';
  /** Estimated; for a model being loaded, what its load reserved. */
  ramBytes: number;
  contexts: number;
  contextSize: number | null;
  sequences: number | null;
  threads: number | null;
  /** Generations (and embedding calls) running now. */
  active: number;
  /** Calls waiting for a sequence. */
  queued: number;
  lastUsedAt: number | null;
}

/** Result of llm.status. */
export interface LlmStatus {
  models: LoadedModelStatus[];
  ramBudgetBytes: number;
  ramUsedBytes: number;
  threads: number;
  modelsDir: string;
}

/** The phase of a running download, as its progress chunks and llm.models.list show it. */
export type DownloadPhase = 'downloading' | 'verifying' | 'done';

/** One `ctx.progress` chunk of llm.models.download. */
export interface DownloadProgress {
  id: string;
  state: DownloadPhase;
  /** Bytes in the partial file, bytes from earlier calls included. */
  downloadedBytes: number;
  totalBytes: number | null;
  /** Average over the bytes this call received. */
  bytesPerSecond: number;
  /** Bytes the partial file held when this call started (0 for a fresh download). */
  resumedFrom: number;
}
