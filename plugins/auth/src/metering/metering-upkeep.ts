import type { PluginLogger } from '@cyberstudio/sdk';
import type { AuthState } from '../auth-state.ts';
import { expireReservations } from './reservations.ts';

/** Metering's timing defaults, in one place. */
export const MeteringDefaults = {
  /** How often open reservations past their expiry are looked for. */
  upkeepIntervalMs: 5_000,
} as const;

/** Options of startMeteringUpkeep. */
export interface MeteringUpkeepOptions {
  intervalMs?: number;
}

/**
 * Starts the timer that expires open reservations past `expires_at` and gives their tokens
 * back: at once (reservations a crash left open), then every `intervalMs`. The timer is
 * unref'd, runs never overlap, and a failed run is logged and retried on the next tick.
 * Returns the stop function, safe to call twice.
 */
export function startMeteringUpkeep(state: AuthState, log: PluginLogger, options: MeteringUpkeepOptions = {}): () => void {
  let running = false;
  let stopped = false;
  const run = async () => {
    if (running || stopped) return;
    running = true;
    try {
      const { expired, refunded } = await expireReservations(state);
      if (expired > 0) log.info({ expired, refunded }, 'expired open reservations past their time and returned their tokens');
    } catch (error) {
      // The database closes at dispose; a run caught in between has nothing left to do.
      if (!stopped) log.warn({ error: error instanceof Error ? error.message : String(error) }, 'reservation upkeep failed; retrying on the next tick');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(run, options.intervalMs ?? MeteringDefaults.upkeepIntervalMs);
  timer.unref();
  void run();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
