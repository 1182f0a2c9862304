import { BusError, ErrorCode, type PluginContext, type PluginServices } from '@cyberstudio/sdk';
import type { MeteringMode } from '../llm-config.ts';

/** What a generation needs of its call: who asked, its cancellation, the bus (for metering) and a logger. */
export type GenerationCall = Pick<PluginContext, 'signal' | 'caller' | 'call' | 'log' | 'traceId'>;

/** The plugin's own bus, outside any call: what a bill settles through, so a cancelled call still settles. */
export type SettlementBus = Pick<PluginServices, 'call'>;

/** The auth plugin's metering capabilities (plugins/auth/README.md). */
export const MeteringCapability = {
  Reserve: 'auth.usage.reserve',
  Commit: 'auth.usage.commit',
  Release: 'auth.usage.release',
  Progress: 'auth.usage.progress',
} as const;

/** How long a settlement may take; it runs after the call's own signal may have fired, so it has its own limit. */
const SETTLE_TIMEOUT_MS = 10_000;

/**
 * At most one auth.usage.progress per this long per generation: what a kill -9 can leave
 * uncharged is the last second of streamed tokens, for one small bus call a second.
 */
const PROGRESS_INTERVAL_MS = 1_000;

/** The tokens a generation has delivered so far, read when a progress report goes out. */
export type DeliveredTokens = () => { promptTokens: number; completionTokens: number };

/** What the bill says once settled (the interaction log records it). */
export interface BillOutcome {
  metered: boolean;
  reservationId?: string;
}

/** After auth.usage.reserve was not found, `auto` skips asking again for this long (a bus round trip per call otherwise). */
const NO_PROVIDER_RECHECK_MS = 5_000;

let warnedUnmetered = false;
let noProviderUntil = 0;

/**
 * One generation's tokens on a user's balance, through the auth plugin: `open` reserves the most
 * the generation may use (prompt + max tokens) before any work, `settle` charges what it really used
 * (on success, and on an abort or error after generation began), `release` gives everything back when
 * it never began. Callers other than users, and `metering: 'off'`, get a bill that does nothing.
 * A settlement that fails is logged, never thrown: the answer is already made, and auth gives an
 * unsettled reservation back when it expires.
 */
export class GenerationBill {
  readonly #call: GenerationCall;
  readonly #bus: SettlementBus;
  readonly #reservationId: string | undefined;
  readonly #reserved: number;
  #settled = false;
  #delivered: DeliveredTokens | undefined;
  #reportedAt = Number.NEGATIVE_INFINITY;
  #reportTimer: ReturnType<typeof setTimeout> | undefined;
  #reporting = false;

  private constructor(call: GenerationCall, reservationId: string | undefined, reserved = 0, bus: SettlementBus = call) {
    this.#call = call;
    this.#bus = bus;
    this.#reservationId = reservationId;
    this.#reserved = reserved;
  }

  /**
   * Reserves `tokens` of the caller's balance for `model`. Auth's refusals pass through unchanged:
   * Forbidden (the key may not use the model), InsufficientBalance, RateLimited, Unauthenticated.
   * With `auto`, a kernel where no plugin provides auth.usage.reserve serves unmetered (warned once;
   * asked again after 5 s, so an auth plugin added later is used). Progress, commit and release go
   * through `bus` (the plugin's own, from setup) when given: a call made through the handler's
   * context ends with the handler, and a cancelled generation must still settle.
   */
  static async open(call: GenerationCall, mode: MeteringMode, model: string, tokens: number, bus?: SettlementBus): Promise<GenerationBill> {
    const { caller } = call;
    if (mode === 'off' || caller.kind !== 'user') return new GenerationBill(call, undefined);
    if (mode === 'auto' && performance.now() < noProviderUntil) return new GenerationBill(call, undefined);
    const params: Record<string, unknown> = { user: caller.id, model, tokens };
    if (caller.keyId !== undefined) params.keyId = caller.keyId;
    try {
      const { reservationId } = await call.call<{ reservationId: string }>(MeteringCapability.Reserve, params, { signal: call.signal });
      return new GenerationBill(call, reservationId, tokens, bus);
    } catch (error) {
      if (mode === 'auto' && error instanceof BusError && error.code === ErrorCode.CapabilityNotFound) {
        noProviderUntil = performance.now() + NO_PROVIDER_RECHECK_MS;
        if (!warnedUnmetered) {
          warnedUnmetered = true;
          call.log.warn({ capability: MeteringCapability.Reserve }, 'no plugin provides auth.usage.reserve: generations are not metered (config metering: "required" refuses them instead)');
        }
        return new GenerationBill(call, undefined);
      }
      if (error instanceof BusError && error.code === ErrorCode.CapabilityNotFound) {
        throw new BusError(ErrorCode.PluginNotRunning, `Metering is required (llmserver config metering: "required"), but no plugin provides ${MeteringCapability.Reserve}`, {
          plugin: 'auth', state: 'absent', reason: 'metering-unavailable',
        });
      }
      throw error;
    }
  }

  /** What this bill did, for the interaction log. */
  get outcome(): BillOutcome {
    return this.#reservationId === undefined ? { metered: false } : { metered: true, reservationId: this.#reservationId };
  }

  /**
   * Charges the tokens used and gives the rest of the reservation back. Once only; later calls do
   * nothing. The reservation is the most a generation costs (auth refuses more), so counts beyond
   * it, which only a remote provider's own tokenizer can produce, are charged as the reservation.
   */
  async settle(promptTokens: number, completionTokens: number): Promise<void> {
    if (!this.#take()) return;
    const prompt = Math.min(promptTokens, this.#reserved);
    const completion = Math.min(completionTokens, this.#reserved - prompt);
    await this.#send(MeteringCapability.Commit, { reservationId: this.#reservationId, promptTokens: prompt, completionTokens: completion });
  }

  /**
   * Notes that streamed text reached the caller; `delivered` tells how many tokens that is. The
   * count goes to auth (auth.usage.progress) at once, then at most once a second, so that auth
   * can charge it if this process dies before settle. Never throws; a failed report is logged.
   */
  report(delivered: DeliveredTokens): void {
    if (this.#settled || this.#reservationId === undefined) return;
    this.#delivered = delivered;
    if (this.#reportTimer !== undefined || this.#reporting) return;
    const wait = this.#reportedAt + PROGRESS_INTERVAL_MS - performance.now();
    if (wait <= 0) void this.#sendProgress();
    else this.#reportTimer = setTimeout(() => void this.#sendProgress(), wait);
  }

  async #sendProgress(): Promise<void> {
    this.#reportTimer = undefined;
    if (this.#settled || this.#delivered === undefined) return;
    const { promptTokens, completionTokens } = this.#delivered();
    const prompt = Math.min(promptTokens, this.#reserved);
    const params = { reservationId: this.#reservationId, promptTokens: prompt, completionTokens: Math.min(completionTokens, this.#reserved - prompt) };
    this.#reporting = true;
    this.#reportedAt = performance.now();
    try {
      await this.#bus.call(MeteringCapability.Progress, params, { signal: AbortSignal.timeout(SETTLE_TIMEOUT_MS) });
    } catch (error) {
      this.#call.log.debug({ capability: MeteringCapability.Progress, reservationId: this.#reservationId, err: error }, 'could not report delivered tokens; the commit still settles them');
    } finally {
      this.#reporting = false;
    }
  }

  /** Gives the whole reservation back (the generation never began); `reason` is a text or the error that stopped it. Once only, like settle. */
  async release(reason: unknown): Promise<void> {
    if (!this.#take()) return;
    const text = reason instanceof Error ? reason.message : String(reason);
    await this.#send(MeteringCapability.Release, { reservationId: this.#reservationId, reason: text.slice(0, 500) });
  }

  #take(): boolean {
    if (this.#settled || this.#reservationId === undefined) return false;
    this.#settled = true;
    clearTimeout(this.#reportTimer);
    this.#reportTimer = undefined;
    return true;
  }

  async #send(capability: string, params: Record<string, unknown>): Promise<void> {
    try {
      await this.#bus.call(capability, params, { signal: AbortSignal.timeout(SETTLE_TIMEOUT_MS) });
    } catch (error) {
      this.#call.log.error({ capability, reservationId: this.#reservationId, err: error }, 'could not settle a reservation; auth gives it back when it expires');
    }
  }
}
