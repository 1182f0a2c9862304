import type { KernelClient } from '../../kernel-client.ts';
import type { LlmConfigView, ModelEntry, ModelLimits } from '../../models-types.ts';
import { configInForce, LLM_PLUGIN, type PluginConfigDetail } from '../../stores/models.ts';

/** One number of the limits form, with the bounds of llmserver's config schema (`models.<id>`). */
export interface LimitField {
  name: 'maxTokens' | 'contextSize' | 'threads' | 'temperature' | 'topK' | 'costPrompt' | 'costCompletion';
  label: string;
  integer: boolean;
  min: number;
  max?: number;
  /** Local models only: llmserver ignores it for a remote one (README, Per-model settings). */
  localOnly?: boolean;
  /** Shown under the field; a cost's hint follows the currency. */
  hint: string;
}

/** The fields of the form, in order. */
export const LIMIT_FIELDS: readonly LimitField[] = [
  { name: 'maxTokens', label: 'Max tokens', integer: true, min: 1, hint: 'Default and ceiling of max_tokens; larger requests are refused.' },
  { name: 'contextSize', label: 'Context size', integer: true, min: 64, localOnly: true, hint: 'Tokens per sequence; applies at the next load.' },
  { name: 'threads', label: 'Threads', integer: true, min: 1, max: 256, localOnly: true, hint: 'Applies at the next load.' },
  { name: 'temperature', label: 'Temperature', integer: false, min: 0, max: 2, hint: 'Used when a request names none.' },
  { name: 'topK', label: 'Top-k', integer: true, min: 0, localOnly: true, hint: 'Used when a request names none.' },
  { name: 'costPrompt', label: 'Prompt cost', integer: false, min: 0, hint: 'per prompt token, for the interaction log.' },
  { name: 'costCompletion', label: 'Completion cost', integer: false, min: 0, hint: 'per completion token; set both or neither.' },
];

/** What the form holds: the text of each field ('' = not set). */
export type LimitValues = Record<LimitField['name'], string>;

/** The form's starting text for a model's current limits. */
export function limitValues(limits: ModelLimits | undefined): LimitValues {
  const text = (value: number | undefined) => (value === undefined ? '' : String(value));
  return {
    maxTokens: text(limits?.maxTokens),
    contextSize: text(limits?.contextSize),
    threads: text(limits?.threads),
    temperature: text(limits?.temperature),
    topK: text(limits?.topK),
    costPrompt: text(limits?.costPerToken?.prompt),
    costCompletion: text(limits?.costPerToken?.completion),
  };
}

/** The limits the text describes, or a message per field that is not a number llmserver would take. */
export function parseLimits(values: LimitValues, kind: ModelEntry['kind']): { limits: ModelLimits } | { errors: Partial<LimitValues> } {
  const errors: Partial<LimitValues> = {};
  const numbers: Partial<Record<LimitField['name'], number>> = {};
  for (const field of LIMIT_FIELDS) {
    if (field.localOnly && kind === 'remote') continue;
    const text = values[field.name].trim();
    if (text === '') continue;
    const value = Number(text);
    if (!Number.isFinite(value)) errors[field.name] = 'Enter a number, or leave it empty.';
    else if (field.integer && !Number.isInteger(value)) errors[field.name] = 'Enter a whole number.';
    else if (value < field.min) errors[field.name] = `Must be at least ${field.min}.`;
    else if (field.max !== undefined && value > field.max) errors[field.name] = `Must be at most ${field.max}.`;
    else numbers[field.name] = value;
  }
  if (!errors.costPrompt && !errors.costCompletion && (numbers.costPrompt === undefined) !== (numbers.costCompletion === undefined)) {
    errors[numbers.costPrompt === undefined ? 'costPrompt' : 'costCompletion'] = 'Set both costs, or neither.';
  }
  if (Object.keys(errors).length > 0) return { errors };
  const { costPrompt, costCompletion, ...rest } = numbers;
  const limits: ModelLimits = { ...rest };
  if (costPrompt !== undefined && costCompletion !== undefined) limits.costPerToken = { prompt: costPrompt, completion: costCompletion };
  return { limits };
}

/** What `kernel.plugins.setConfig` says it did. */
export interface SetConfigAnswer {
  applied: 'live' | 'restart' | 'next-start';
  restarted: boolean;
  state: string;
}

const KNOWN_KEYS = ['maxTokens', 'contextSize', 'threads', 'temperature', 'topK', 'costPerToken'] as const;

/**
 * Saves one model's limits: llmserver's config is read again just before (so a change made
 * meanwhile elsewhere is kept), only `models.<id>` is replaced, and the whole config is sent, as
 * setConfig requires. Keys of the entry this form does not know are kept.
 */
export async function saveModelLimits(client: KernelClient, id: string, limits: ModelLimits): Promise<SetConfigAnswer> {
  const config: LlmConfigView = configInForce(await client.call<PluginConfigDetail>('kernel.plugins.get', { plugin: LLM_PLUGIN }));
  const entry: Record<string, unknown> = { ...config.models?.[id] };
  for (const key of KNOWN_KEYS) delete entry[key];
  Object.assign(entry, limits);
  const models: Record<string, unknown> = { ...config.models };
  if (Object.keys(entry).length === 0) delete models[id];
  else models[id] = entry;
  return client.call<SetConfigAnswer>('kernel.plugins.setConfig', { plugin: LLM_PLUGIN, config: { ...config, models } });
}
