import { LocalError, LocalErrorCode } from '@cyberstudio/sdk';
import type { PluginManifest } from '../registry/index.ts';
import { HealthMonitor } from './health-monitor.ts';
import { PluginProcess, type ExitInfo, type PluginProcessOptions } from './plugin-process.ts';
import { PluginState, isServing, type StateChange } from './plugin-state.ts';
import { RestartBackoff } from './restart-backoff.ts';

/** What the supervisor needs from the kernel. */
export interface SupervisorHooks {
  /** Launch options for a fresh process (environment, current config, callbacks). */
  launchOptions(): PluginProcessOptions;
  /** Brings dependencies up before this plugin starts. */
  beforeStart(): Promise<void>;
  onStateChange(change: StateChange): void;
  onProcessStarted(process: PluginProcess): void;
  onProcessExited(process: PluginProcess, info: ExitInfo): void;
}

/** A plain sentence describing how a process ended. */
export function describeExit(info: ExitInfo): string {
  if (info.spawnError) return `could not start: ${info.spawnError}`;
  return info.signal ? `killed by ${info.signal}` : `exited with code ${info.exitCode}`;
}

/**
 * Owns one plugin's lifecycle: start and stop, health checks, restarts with jittered backoff,
 * and quarantine after too many crashes. Every state change is reported with a reason.
 */
export class PluginSupervisor {
  readonly name: string;
  #manifest: PluginManifest;
  readonly #hooks: SupervisorHooks;
  #backoff: RestartBackoff;
  #state: PluginState = PluginState.Stopped;
  #process: PluginProcess | undefined;
  #starting: Promise<PluginProcess> | undefined;
  /** Aborts the launch in progress (its handshake), so a stop need not wait out a slow start. */
  #launchAbort: AbortController | undefined;
  #stopping: Promise<void> | undefined;
  #health: HealthMonitor | undefined;
  #restartTimer: NodeJS.Timeout | undefined;
  #stableTimer: NodeJS.Timeout | undefined;
  /** Set when the kernel itself ends the process as a failure (health, memory). */
  #failureReason: string | undefined;
  #restarts = 0;
  #lastError: string | undefined;
  #lastExit: ExitInfo | undefined;
  #startedAt: number | undefined;
  #disposed = false;
  #disposing: Promise<void> | undefined;

  constructor(manifest: PluginManifest, hooks: SupervisorHooks) {
    this.name = manifest.name;
    this.#manifest = manifest;
    this.#hooks = hooks;
    this.#backoff = new RestartBackoff(manifest.restart);
  }

  get manifest(): PluginManifest {
    return this.#manifest;
  }

  /** Applies a new manifest; takes effect at the next start. */
  set manifest(manifest: PluginManifest) {
    this.#manifest = manifest;
    this.#backoff = new RestartBackoff(manifest.restart);
  }

  get state(): PluginState {
    return this.#state;
  }

  /** The live process while serving (running or unhealthy). */
  get process(): PluginProcess | undefined {
    return isServing(this.#state) ? this.#process : undefined;
  }

  /** Restarts after crashes or failed health checks since the kernel started. */
  get restarts(): number {
    return this.#restarts;
  }

  get lastError(): string | undefined {
    return this.#lastError;
  }

  get lastExit(): ExitInfo | undefined {
    return this.#lastExit;
  }

  /** Epoch ms when the current process became ready. */
  get startedAt(): number | undefined {
    return this.#process && isServing(this.#state) ? this.#startedAt : undefined;
  }

  /**
   * Starts the plugin if it is not serving and resolves with its process. Concurrent calls share
   * one start. `explicit` (an operator or kernel start) also releases a quarantined plugin; an
   * implicit start (a lazy call) does not.
   */
  start({ reason = 'start requested', explicit = true }: { reason?: string; explicit?: boolean } = {}): Promise<PluginProcess> {
    if (this.#disposed) return Promise.reject(new LocalError(LocalErrorCode.PluginUnknown, `Plugin '${this.name}' was removed`, { plugin: this.name }));
    if (this.#process && isServing(this.#state)) return Promise.resolve(this.#process);
    if (this.#starting) return this.#starting;
    if (this.#state === PluginState.Quarantined && !explicit) {
      return Promise.reject(new LocalError(LocalErrorCode.PluginQuarantined, `Plugin '${this.name}' is quarantined after repeated crashes (last error: ${this.#lastError}); start it explicitly to retry`, { plugin: this.name, lastError: this.#lastError }));
    }
    if (explicit) this.#backoff.reset();
    this.#clearRestartTimer();
    const starting = (this.#stopping ?? Promise.resolve()).then(() => this.#launch(reason));
    const forget = () => {
      if (this.#starting === starting) this.#starting = undefined;
    };
    starting.then(forget, forget);
    this.#starting = starting;
    return starting;
  }

  /**
   * Stops the plugin gracefully (shutdown, stdin close, SIGTERM, SIGKILL) within its
   * shutdownTimeoutSeconds plus the kill grace, and cancels pending restarts. `signal` kills it at once.
   */
  stop(reason = 'stop requested', { signal }: { signal?: AbortSignal } = {}): Promise<void> {
    this.#clearRestartTimer();
    this.#stopping ??= this.#stop(reason, signal).finally(() => (this.#stopping = undefined));
    return this.#stopping;
  }

  /** Stops, then starts again. */
  async restart(reason = 'restart requested'): Promise<PluginProcess> {
    await this.stop(reason);
    return this.start({ reason });
  }

  /** Ends the current process as a failure, so the restart policy applies (memory limit, watch). */
  fail(reason: string): void {
    const process = this.#process;
    if (!process || !isServing(this.#state) || this.#failureReason !== undefined) return;
    this.#failureReason = reason;
    void process.stop({ timeout: this.#manifest.shutdownTimeoutSeconds * 1000 });
  }

  /**
   * Stops the plugin and refuses further starts: a start asked for afterwards rejects with
   * CDS_ERR_PLUGIN_UNKNOWN. `signal` kills the process at once. Safe to call twice.
   */
  dispose({ signal }: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.#disposing) return this.#disposing;
    this.#disposed = true;
    this.#disposing = this.stop('kernel shutting down', { signal });
    return this.#disposing;
  }

  /** Same as dispose(). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  async #launch(reason: string): Promise<PluginProcess> {
    this.#transition(PluginState.Starting, reason);
    const launch = new AbortController();
    this.#launchAbort = launch;
    let process: PluginProcess;
    try {
      await this.#hooks.beforeStart();
      if (launch.signal.aborted) throw launch.signal.reason;
      process = await PluginProcess.start(this.#hooks.launchOptions(), { signal: launch.signal });
    } catch (error) {
      this.#lastError = error instanceof Error ? error.message : String(error);
      // Forget this attempt before reporting it, so a start issued on the failure report begins anew.
      this.#starting = undefined;
      // A stop cancelled it: not a failure, so no restart.
      if (launch.signal.aborted) this.#transition(PluginState.Stopped, `start cancelled: ${(launch.signal.reason as Error).message}`);
      else this.#afterFailure(`start failed: ${this.#lastError}`, true);
      throw error;
    } finally {
      if (this.#launchAbort === launch) this.#launchAbort = undefined;
    }
    this.#process = process;
    this.#startedAt = process.readyAt;
    this.#failureReason = undefined;
    void process.exited.then((info) => this.#onExit(process, info));
    this.#watchHealth(process);
    this.#stableTimer = setTimeout(() => this.#backoff.markStable(), this.#manifest.restart.stableSeconds * 1000);
    this.#stableTimer.unref();
    this.#transition(PluginState.Running, reason === 'start requested' ? 'started' : reason);
    this.#hooks.onProcessStarted(process);
    return process;
  }

  #watchHealth(process: PluginProcess): void {
    const { healthcheck } = this.#manifest;
    this.#health = new HealthMonitor(healthcheck, (method, params, options) => process.request(method, params, options), {
      onHealthy: () => {
        if (this.#state === PluginState.Unhealthy) this.#transition(PluginState.Running, 'health check passed');
      },
      onUnhealthy: (failures, error) => {
        if (failures >= healthcheck.failureThreshold) {
          this.#failureReason = `health check failed ${failures} times in a row (${error})`;
          process.kill();
        } else if (this.#state === PluginState.Running) {
          this.#transition(PluginState.Unhealthy, `health check failed (${failures}/${healthcheck.failureThreshold}): ${error}`);
        }
      },
    });
    this.#health.start();
  }

  #onExit(process: PluginProcess, info: ExitInfo): void {
    if (process !== this.#process) return;
    this.#process = undefined;
    this.#health?.dispose();
    clearTimeout(this.#stableTimer);
    this.#lastExit = info;
    this.#hooks.onProcessExited(process, info);
    if (this.#state === PluginState.Stopping) return;
    const failed = this.#failureReason !== undefined || info.exitCode !== 0;
    const reason = this.#failureReason ?? describeExit(info);
    this.#failureReason = undefined;
    if (failed) this.#lastError = reason;
    this.#afterFailure(reason, failed);
  }

  /** After a crash or failed start: stay down, back off and restart, or quarantine. */
  #afterFailure(reason: string, failed: boolean): void {
    if (this.#disposed) return;
    this.#transition(failed ? PluginState.Crashed : PluginState.Stopped, reason);
    const { policy } = this.#manifest.restart;
    if (policy === 'never' || (policy === 'on-failure' && !failed)) return;
    const verdict = this.#backoff.recordCrash(Date.now());
    if (verdict.action === 'quarantine') {
      this.#transition(PluginState.Quarantined, `crashed ${verdict.crashes} times within ${this.#manifest.restart.windowSeconds}s; last error: ${this.#lastError ?? reason}`);
      return;
    }
    this.#transition(PluginState.Backoff, `restarting in ${verdict.delayMs} ms (attempt ${verdict.attempt})`);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      this.#restarts += 1;
      this.start({ reason: `restart after failure (attempt ${verdict.attempt})`, explicit: false }).catch(() => {});
    }, verdict.delayMs);
    this.#restartTimer.unref();
  }

  async #stop(reason: string, signal: AbortSignal | undefined): Promise<void> {
    // A start in progress is cancelled (its process killed), not waited out: a slow handshake must not hold a stop.
    this.#launchAbort?.abort(new LocalError(LocalErrorCode.HandshakeFailed, `Plugin '${this.name}' was stopped while it started (${reason})`, { plugin: this.name, reason }));
    await this.#starting?.catch(() => {});
    const process = this.#process;
    if (!process) {
      if (this.#state !== PluginState.Stopped) this.#transition(PluginState.Stopped, reason);
      return;
    }
    this.#transition(PluginState.Stopping, reason);
    this.#health?.dispose();
    const info = await process.stop({ timeout: this.#manifest.shutdownTimeoutSeconds * 1000, signal });
    this.#transition(PluginState.Stopped, `${reason}; ${describeExit(info)}`);
  }

  #clearRestartTimer(): void {
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
  }

  #transition(to: PluginState, reason: string): void {
    const from = this.#state;
    this.#state = to;
    this.#hooks.onStateChange({ plugin: this.name, from, to, reason, time: Date.now() });
  }
}
