import type { Insertable, Selectable } from '@cyberstudio/database';
import type { InteractionLogConfig } from './interaction-config.ts';
import type { InteractionRecord, InteractionView, InteractionsTable } from './interaction-types.ts';

/**
 * Strings up to this long are structure (a role, a part's type, a name), not content: they are
 * kept whole and do not spend the budget, so a cut prompt keeps its shape.
 */
const STRUCTURE_CHARS = 32;

/** What ends a cut text: how much was left out. */
export function truncationMarker(omittedChars: number): string {
  return `…[truncated ${omittedChars} chars]`;
}

/** How much text is left to keep, and whether anything was cut. */
interface Budget {
  left: number;
  cut: boolean;
}

/** The row record() writes for `record`: caller split into columns, content cut or dropped per `config`. */
export function rowOf(record: InteractionRecord, config: InteractionLogConfig, now: number): Insertable<InteractionsTable> {
  const { caller } = record;
  const budget = (): Budget => ({ left: config.maxContentChars, cut: false });
  const promptBudget = budget();
  const responseBudget = budget();
  const errorBudget = budget();
  const prompt = config.storeContent && record.prompt !== undefined ? JSON.stringify(cutStrings(record.prompt, promptBudget)) ?? null : null;
  const response = config.storeContent && typeof record.response === 'string' ? cutText(record.response, responseBudget) : null;
  const errorMessage = typeof record.errorMessage === 'string' ? cutText(record.errorMessage, errorBudget) : null;
  return {
    created_at: Math.round(finiteOr(record.createdAt, now)),
    capability: record.capability,
    model: record.model,
    user_id: caller.kind === 'user' ? caller.id : null,
    user_name: caller.kind === 'user' ? (caller.name ?? null) : null,
    key_id: caller.kind === 'user' ? (caller.keyId ?? null) : null,
    caller_kind: caller.kind,
    caller_plugin: caller.kind === 'plugin' ? caller.name : null,
    trace_id: record.traceId ?? null,
    prompt,
    response,
    truncated: promptBudget.cut || responseBudget.cut || errorBudget.cut ? 1 : 0,
    finish_reason: record.finishReason ?? null,
    status: record.status,
    error_code: record.errorCode ?? null,
    error_message: errorMessage,
    prompt_tokens: tokens(record.promptTokens),
    completion_tokens: tokens(record.completionTokens),
    cost: Number.isFinite(record.cost) ? record.cost! : null,
    latency_ms: Math.max(0, finiteOr(record.latencyMs, 0)),
    ttft_ms: Number.isFinite(record.ttftMs) ? record.ttftMs! : null,
    stream: record.stream ? 1 : 0,
  };
}

/** A stored row as callers see it: camelCase, booleans, the prompt parsed back. */
export function viewOf(row: Selectable<InteractionsTable>): InteractionView {
  return {
    id: row.id,
    createdAt: row.created_at,
    capability: row.capability,
    model: row.model,
    userId: row.user_id,
    userName: row.user_name,
    keyId: row.key_id,
    callerKind: row.caller_kind,
    callerPlugin: row.caller_plugin,
    traceId: row.trace_id,
    prompt: row.prompt === null ? null : JSON.parse(row.prompt),
    response: row.response,
    truncated: row.truncated === 1,
    finishReason: row.finish_reason,
    status: row.status,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    promptTokens: row.prompt_tokens,
    completionTokens: row.completion_tokens,
    cost: row.cost,
    latencyMs: row.latency_ms,
    ttftMs: row.ttft_ms,
    stream: row.stream === 1,
  };
}

/**
 * `value` with its text cut to the budget, in document order: the text of early messages is kept
 * and later ones are cut, each cut string ending in a marker. The result is still the same JSON
 * shape, so a stored chat prompt always parses back into a messages array.
 */
function cutStrings(value: unknown, budget: Budget): unknown {
  if (typeof value === 'string') return value.length <= STRUCTURE_CHARS ? value : cutText(value, budget);
  if (Array.isArray(value)) return value.map((item) => cutStrings(item, budget));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, cutStrings(item, budget)]));
  }
  return value;
}

function cutText(text: string, budget: Budget): string {
  if (text.length <= budget.left) {
    budget.left -= text.length;
    return text;
  }
  const kept = text.slice(0, budget.left);
  budget.left = 0;
  budget.cut = true;
  return kept + truncationMarker(text.length - kept.length);
}

function tokens(count: number | undefined): number {
  return Math.max(0, Math.round(finiteOr(count, 0)));
}

function finiteOr(value: number | undefined, fallback: number): number {
  return Number.isFinite(value) ? value! : fallback;
}
