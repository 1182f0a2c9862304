import { Method } from '@cyberstudio/sdk';
import type { HealthcheckSettings } from '../registry/index.ts';

/** Where probe results go. */
export interface HealthReport {
  onHealthy(): void;
  onUnhealthy(consecutiveFailures: number, error: string): void;
}

/** What a probe calls: the plugin connection's request, bypassing the bus and its queues. */
export type Probe = (method: string, params: unknown, options: { totalTimeout: number }) => Promise<unknown>;

/**
 * Pings a plugin every `intervalSeconds` with `$/ping`. Probes go straight to the connection, so
 * they never queue behind capability calls; one probe at a time.
 */
export class HealthMonitor {
  readonly #settings: HealthcheckSettings;
  readonly #probe: Probe;
  readonly #report: HealthReport;
  #timer: NodeJS.Timeout | undefined;
  #failures = 0;
  #probing = false;

  constructor(settings: HealthcheckSettings, probe: Probe, report: HealthReport) {
    this.#settings = settings;
    this.#probe = probe;
    this.#report = report;
  }

  /** Starts probing; idempotent. */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.#tick(), this.#settings.intervalSeconds * 1000);
    this.#timer.unref();
  }

  /** Stops probing; idempotent. */
  dispose(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Consecutive failed probes so far. */
  get failures(): number {
    return this.#failures;
  }

  async #tick(): Promise<void> {
    if (this.#probing) return;
    this.#probing = true;
    try {
      await this.#probe(Method.Ping, {}, { totalTimeout: this.#settings.timeoutSeconds * 1000 });
      if (!this.#timer) return;
      this.#failures = 0;
      this.#report.onHealthy();
    } catch (error) {
      if (!this.#timer) return;
      this.#failures += 1;
      this.#report.onUnhealthy(this.#failures, error instanceof Error ? error.message : String(error));
    } finally {
      this.#probing = false;
    }
  }
}
