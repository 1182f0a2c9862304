import { resolveRemoteModel, type RemoteModelConfig, type ResolvedRemoteModel } from './remote-config.ts';
import { embeddingsNotOffered, missingApiKey, RemoteAttemptError, remoteFailure, upstreamText } from './remote-errors.ts';
import { abortableDelay, backoffDelayMs, isRetryableStatus, retryAfterMs } from './remote-retry.ts';
import { readSse } from './remote-sse.ts';
import {
  embeddingsOf, estimatedUsage, estimateTokens, generationPiece, modelIdsOf, samplingBody, upstreamErrorOf,
  type RemoteSampling, type RemoteUsage,
} from './remote-wire.ts';
import { UpstreamExchange } from './upstream-exchange.ts';

/** One chat message, as llm.chat takes it. */
export interface RemoteChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** A chat request: the conversation and its sampling params. */
export interface RemoteChatRequest extends RemoteSampling {
  messages: RemoteChatMessage[];
}

/** A plain completion request: the prompt and its sampling params. */
export interface RemoteCompletionRequest extends RemoteSampling {
  prompt: string;
}

/** Options of every remote call. */
export interface RemoteCallOptions {
  /** Aborting it aborts the upstream request and any wait before a retry; the call then rejects with the signal's reason. */
  signal: AbortSignal;
  /** The capability named in -32007 errors; default the llm.* capability of the method. */
  capability?: string;
}

/** Options of a generation. */
export interface RemoteGenerateOptions extends RemoteCallOptions {
  /** Receives each piece of text as it arrives; the pieces concatenated are the final `text`. */
  onText(text: string): void;
  /** `performance.now()` when the call arrived, so timings count what came before; default the method call. */
  startedAt?: number;
}

/** What a remote chat or completion answers: GenerationResult without `model`. */
export interface RemoteGeneration {
  text: string;
  finishReason: 'stop' | 'length';
  usage: RemoteUsage;
  timings: { timeToFirstTokenMs: number | null; totalMs: number };
}

/** What remote embeddings answer: one vector per input, in input order. */
export interface RemoteEmbeddings {
  embeddings: number[][];
  promptTokens: number;
  estimated?: boolean;
}

/** Characters of an error body read for its message. */
const MAX_ERROR_CHARS = 64 * 1024;

/**
 * A model served by an OpenAI-compatible provider. Generations always stream upstream, so text
 * reaches `onText` as it arrives and an abort stops the upstream request. Failed attempts are
 * retried with backoff while no text has been forwarded; the last failure becomes a BusError
 * (UpstreamFailed, RateLimited or CapabilityInvalidParams). The API key is read from the
 * environment at each call and never appears in an error.
 */
export class RemoteProvider {
  /** The model id (the key under `remote`). */
  readonly id: string;
  /** The entry with its defaults filled in. */
  readonly config: ResolvedRemoteModel;
  /** The host of `baseUrl`, the name errors give the upstream. */
  readonly host: string;
  readonly #env: NodeJS.ProcessEnv;

  constructor(id: string, config: RemoteModelConfig, env: NodeJS.ProcessEnv = process.env) {
    this.id = id;
    this.config = resolveRemoteModel(config, id);
    this.host = new URL(this.config.baseUrl).host;
    this.#env = env;
  }

  /** Streams the model's next assistant message for `request.messages` (`/chat/completions`). */
  chat(request: RemoteChatRequest, options: RemoteGenerateOptions): Promise<RemoteGeneration> {
    const messages = request.messages.map(({ role, content }) => ({ role, content }));
    const promptCharacters = messages.reduce((sum, message) => sum + message.content.length, 0);
    return this.#generate('/chat/completions', { messages, ...samplingBody(request) }, promptCharacters, { ...options, capability: options.capability ?? 'llm.chat' });
  }

  /** Streams the continuation of `request.prompt` (`/completions`). */
  complete(request: RemoteCompletionRequest, options: RemoteGenerateOptions): Promise<RemoteGeneration> {
    return this.#generate('/completions', { prompt: request.prompt, ...samplingBody(request) }, request.prompt.length, { ...options, capability: options.capability ?? 'llm.complete' });
  }

  /** Embeds each input (`/embeddings`); -32007 unless the entry has `embeddings: true`. */
  async embed(input: string[], options: RemoteCallOptions): Promise<RemoteEmbeddings> {
    const capability = options.capability ?? 'llm.embed';
    if (!this.config.embeddings) throw embeddingsNotOffered(capability, this.id);
    const answer = await this.#withRetries(capability, options.signal, () => false, async (exchange) => {
      const json = await this.#requestJson(exchange, 'POST', '/embeddings', { input, encoding_format: 'float' });
      const embeddings = embeddingsOf(json, input.length);
      if (embeddings === undefined) throw this.#badResponse(`its embeddings answer does not hold ${input.length} vectors of numbers`);
      return { embeddings, usage: (json as { usage?: { prompt_tokens?: unknown } }).usage?.prompt_tokens };
    });
    if (typeof answer.usage === 'number') return { embeddings: answer.embeddings, promptTokens: answer.usage };
    const promptTokens = input.reduce((sum, text) => sum + Math.max(1, estimateTokens(text)), 0);
    return { embeddings: answer.embeddings, promptTokens, estimated: true };
  }

  /** The model names the provider lists (`GET /models`): a reachability and credentials check. */
  models(options: RemoteCallOptions): Promise<string[]> {
    return this.#withRetries(options.capability ?? 'llm.models.list', options.signal, () => false, async (exchange) => {
      const ids = modelIdsOf(await this.#requestJson(exchange, 'GET', '/models'));
      if (ids === undefined) throw this.#badResponse('its /models answer has no list of model ids');
      return ids;
    });
  }

  async #generate(
    path: string, body: Record<string, unknown>, promptCharacters: number, options: RemoteGenerateOptions & { capability: string },
  ): Promise<RemoteGeneration> {
    const started = options.startedAt ?? performance.now();
    let text = '';
    let firstTextAt: number | undefined;
    const forward = (piece: string): void => {
      if (piece.length === 0) return;
      firstTextAt ??= performance.now();
      text += piece;
      options.onText(piece);
    };
    const streamBody = { model: this.config.model, ...body, stream: true, stream_options: { include_usage: true } };
    const outcome = await this.#withRetries(options.capability, options.signal, () => text.length > 0, (exchange) =>
      this.#streamOnce(exchange, path, streamBody, forward));
    const now = performance.now();
    return {
      text,
      finishReason: outcome.finishReason === 'length' ? 'length' : 'stop',
      usage: outcome.usage ?? estimatedUsage(promptCharacters, text),
      timings: { timeToFirstTokenMs: firstTextAt === undefined ? null : round(firstTextAt - started), totalMs: round(now - started) },
    };
  }

  /** One streamed attempt: forwards text as it arrives; a complete answer ends in `[DONE]` or carries a finish reason. */
  async #streamOnce(
    exchange: UpstreamExchange, path: string, body: Record<string, unknown>, forward: (text: string) => void,
  ): Promise<{ finishReason: string | undefined; usage: RemoteUsage | undefined }> {
    const response = await this.#send(exchange, 'POST', path, body);
    const type = response.headers.get('content-type') ?? '';
    if (type.includes('application/json')) {
      // A server that ignores `stream: true` answers in one piece.
      const piece = generationPiece(await this.#json(exchange));
      if (piece === undefined || piece.text === undefined) throw this.#badResponse('its answer has no choices[0] text');
      forward(piece.text);
      return { finishReason: piece.finishReason, usage: piece.usage };
    }
    if (!type.includes('text/event-stream')) throw this.#badResponse(`it answered with ${type || 'no content type'}, not an event stream`);
    let finishReason: string | undefined;
    let usage: RemoteUsage | undefined;
    for await (const event of readSse(exchange.chunks())) {
      if (event.data === '[DONE]') return { finishReason, usage };
      const piece = generationPiece(parseJson(event.data));
      if (piece === undefined) throw this.#badResponse(`a streamed event is not a JSON object: ${upstreamText(event.data.slice(0, 200), this.#apiKeyValue())}`);
      if (piece.error !== undefined) throw new RemoteAttemptError('upstream-error', `${this.host} reported an error mid-response: ${upstreamText(piece.error, this.#apiKeyValue())}`);
      if (piece.text !== undefined) forward(piece.text);
      finishReason = piece.finishReason ?? finishReason;
      usage = piece.usage ?? usage;
    }
    if (finishReason !== undefined) return { finishReason, usage };
    throw new RemoteAttemptError('stream-cut', `${this.host} ended the response before it was complete (no finish reason, no [DONE])`);
  }

  /**
   * Runs `attempt` until it succeeds, the failure is not retryable, text was forwarded (a retry
   * would repeat it), or `retries` are spent; the wait between attempts is abortable.
   */
  async #withRetries<T>(capability: string, signal: AbortSignal, textForwarded: () => boolean, attempt: (exchange: UpstreamExchange) => Promise<T>): Promise<T> {
    this.#apiKey();
    const { retries, retryBaseMs, maxRetryDelayMs, timeoutSeconds, idleTimeoutSeconds } = this.config;
    for (let attempts = 1; ; attempts++) {
      const exchange = new UpstreamExchange(this.host, signal, { headersMs: timeoutSeconds * 1000, idleMs: idleTimeoutSeconds * 1000 });
      let failure: RemoteAttemptError;
      try {
        return await attempt(exchange);
      } catch (error) {
        // An abort while an error body was read still ends the call as an abort.
        if (signal.aborted) throw signal.reason;
        if (!(error instanceof RemoteAttemptError)) throw error;
        failure = error;
      } finally {
        exchange.close();
      }
      const backoff = backoffDelayMs(attempts, retryBaseMs, maxRetryDelayMs);
      const delay = failure.retryAfterMs ?? backoff;
      const retry = attempts <= retries && !textForwarded() && isRetryable(failure) && delay <= maxRetryDelayMs;
      if (!retry) throw remoteFailure(failure, { id: this.id, capability, attempts, fallbackRetryAfterMs: backoff });
      await abortableDelay(delay, signal);
    }
  }

  /** Sends one request; an answer other than 2xx becomes a RemoteAttemptError with the upstream's message. */
  async #send(exchange: UpstreamExchange, method: 'GET' | 'POST', path: string, body?: Record<string, unknown>): Promise<Response> {
    const headers = new Headers(this.config.headers);
    headers.set('accept', body?.stream === true ? 'text/event-stream' : 'application/json');
    const key = this.#apiKey();
    if (key !== undefined) headers.set('authorization', `Bearer ${key}`);
    if (body !== undefined) headers.set('content-type', 'application/json');
    const response = await exchange.send(`${this.config.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (response.ok) return response;
    const errorBody = await exchange.text(MAX_ERROR_CHARS).catch(() => '');
    const upstream = upstreamErrorOf(errorBody);
    const said = upstreamText(upstream.message, key) || response.statusText;
    const status = response.status;
    const options = { status, retryAfterMs: retryAfterMs(response.headers), param: upstream.param };
    if (status === 401 || status === 403) {
      const check = this.config.apiKeyEnv === undefined ? 'no apiKeyEnv is configured' : `check the key in ${this.config.apiKeyEnv}`;
      throw new RemoteAttemptError('upstream-auth', `${this.host} refused the credentials (${status}): ${said}; ${check}`, options);
    }
    const what = status === 429 ? 'is rate limiting requests' : status === 400 || status === 422 ? 'refused the request' : 'answered';
    throw new RemoteAttemptError('http-status', `${this.host} ${what} (${status}): ${said}`, options);
  }

  async #requestJson(exchange: UpstreamExchange, method: 'GET' | 'POST', path: string, body?: Record<string, unknown>): Promise<unknown> {
    await this.#send(exchange, method, path, body === undefined ? undefined : { model: this.config.model, ...body });
    return this.#json(exchange);
  }

  async #json(exchange: UpstreamExchange): Promise<unknown> {
    const value = parseJson(await exchange.text());
    if (value === undefined) throw this.#badResponse('its answer is not JSON');
    return value;
  }

  #badResponse(detail: string): RemoteAttemptError {
    return new RemoteAttemptError('bad-response', `${this.host} sent an answer that is not OpenAI's: ${detail}`);
  }

  /** The key from `apiKeyEnv`, or undefined when none is configured; UpstreamFailed `no-api-key` when it is unset or empty. */
  #apiKey(): string | undefined {
    const name = this.config.apiKeyEnv;
    if (name === undefined) return undefined;
    const key = this.#env[name]?.trim();
    if (!key) throw missingApiKey(this.id, name);
    return key;
  }

  #apiKeyValue(): string | undefined {
    return this.config.apiKeyEnv === undefined ? undefined : this.#env[this.config.apiKeyEnv]?.trim();
  }
}

/** Failures worth another attempt: the network, timeouts, a cut stream, an upstream error, and the retryable statuses. */
function isRetryable(failure: RemoteAttemptError): boolean {
  switch (failure.reason) {
    case 'offline':
    case 'timeout':
    case 'stream-cut':
    case 'upstream-error':
      return true;
    case 'http-status':
      return failure.status !== undefined && isRetryableStatus(failure.status);
    case 'upstream-auth':
    case 'bad-response':
      return false;
    default:
      return failure.reason satisfies never;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
