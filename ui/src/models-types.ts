// llmserver's own answer types (its `./answers` export, free of imports), and
// the few shapes the Models page adds around them.
import type { ModelEntry, ModelSettings } from '@cyberstudio/plugin-llmserver/answers';

export type { DownloadProgress, LlmStatus, LoadedModelStatus, ModelEntry } from '@cyberstudio/plugin-llmserver/answers';

/** Where a model stands: a file's load state, a download with no file yet, or a provider's model. */
export type ModelState = ModelEntry['state'];

/** The per-model settings under llmserver's config `models.<id>`. */
export type ModelLimits = ModelSettings;

/** The answer of `llm.models.list`. */
export interface ModelList {
  directory: string;
  models: ModelEntry[];
}

/** The answer of `llm.models.download`: the new model's entry plus how it was fetched. */
export interface DownloadResult extends ModelEntry {
  download: { url: string; bytes: number; sha256: string; verifiedWith: string | null; resumedFrom: number; requests: number; resumed: boolean };
}

/** The part of llmserver's config the page reads; the rest is passed through untouched on save. */
export interface LlmConfigView {
  contextSize?: number;
  costCurrency?: string;
  models?: Record<string, ModelLimits>;
  [key: string]: unknown;
}
