import type { Caller } from '@cyberstudio/sdk';
import type { Generated } from '@cyberstudio/database';

/** How a logged call ended. */
export type InteractionStatus = 'ok' | 'error' | 'cancelled';

/** Who made a logged call. */
export type CallerKind = Caller['kind'];

/** `interactions`: one generation call per row. Times are epoch ms, booleans 0/1, JSON as text. */
export interface InteractionsTable {
  id: Generated<number>;
  /** When the call arrived. */
  created_at: number;
  capability: string;
  /** Null when the call failed before a model was chosen. */
  model: string | null;
  user_id: string | null;
  user_name: string | null;
  key_id: string | null;
  caller_kind: CallerKind;
  caller_plugin: string | null;
  trace_id: string | null;
  /** JSON text: the messages array of a chat, the prompt string of a completion. Null when content is not stored. */
  prompt: string | null;
  response: string | null;
  /** 1 when the prompt, response or error message was cut at maxContentChars. */
  truncated: number;
  finish_reason: string | null;
  status: InteractionStatus;
  error_code: number | null;
  error_message: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  /** In the plugin's costCurrency; null when the model has no price. */
  cost: number | null;
  latency_ms: number;
  ttft_ms: number | null;
  stream: number;
}

/** Every table of the interaction log database. */
export interface InteractionTables {
  interactions: InteractionsTable;
}

/** What the generation path hands InteractionLog.record() when a call ends. */
export interface InteractionRecord {
  /** When the call arrived, epoch ms; default: when record() is called. */
  createdAt?: number;
  /** The capability called: llm.chat, llm.complete, llm.openai.chat ... */
  capability: string;
  /** The model used, or asked for; null when none was resolved. */
  model: string | null;
  /** The call's `ctx.caller`: user id, name and key, or the plugin, are taken from it. */
  caller: Caller;
  traceId?: string | null;
  /** The messages array of a chat or the prompt string of a completion; any JSON value. */
  prompt?: unknown;
  /** The generated text (what was produced before an error or cancellation, if anything). */
  response?: string | null;
  finishReason?: string | null;
  status: InteractionStatus;
  errorCode?: number | null;
  errorMessage?: string | null;
  promptTokens?: number;
  completionTokens?: number;
  cost?: number | null;
  /** Whole call, from arrival to the answer (queueing and model load included). */
  latencyMs: number;
  /** Arrival to first generated token; null when none was generated. */
  ttftMs?: number | null;
  /** True when the caller received the answer as a stream of chunks. */
  stream: boolean;
}

/** One logged call as llm.interactions.list and llm.interactions.get answer it. */
export interface InteractionView {
  id: number;
  createdAt: number;
  capability: string;
  model: string | null;
  userId: string | null;
  userName: string | null;
  keyId: string | null;
  callerKind: CallerKind;
  callerPlugin: string | null;
  traceId: string | null;
  /** The stored prompt (messages array or string); null when content is not stored or not asked for. */
  prompt: unknown;
  response: string | null;
  truncated: boolean;
  finishReason: string | null;
  status: InteractionStatus;
  errorCode: number | null;
  errorMessage: string | null;
  promptTokens: number;
  completionTokens: number;
  cost: number | null;
  latencyMs: number;
  ttftMs: number | null;
  stream: boolean;
}

/** Which entries InteractionLog.list() returns; every member narrows it. */
export interface InteractionFilter {
  /** Exactly this user id (how a non-admin caller is scoped). */
  userId?: string;
  /** A user id or a user name. */
  user?: string;
  model?: string;
  capability?: string;
  status?: InteractionStatus;
  /** Epoch ms, inclusive. */
  since?: number;
  /** Epoch ms, inclusive. */
  until?: number;
  /** A `nextCursor` of an earlier page: entries older than its last item. */
  before?: string;
  /** Default 50, at most 500. */
  limit?: number;
  /** False leaves prompt and response out (null) to keep pages small; default true. */
  content?: boolean;
}

/** One page of the log, newest first. */
export interface InteractionPage {
  items: InteractionView[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}
