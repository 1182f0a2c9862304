import type { ChildProcess } from 'node:child_process';
import { execa } from 'execa';
import {
  BusError, Defaults, ErrorCode, LineReader, LocalError, LocalErrorCode, Method, RpcConnection,
  type ConnectionDiagnostic, type InitializeParams, type InitializeResult, type IncomingRequestContext, type RequestOptions,
} from '@cyberstudio/sdk';
import { StreamTransport } from '@cyberstudio/sdk/node';
import { KernelTimeouts } from '../kernel-timeouts.ts';
import { checkHandshake } from './check-handshake.ts';

/** How a plugin process ended. */
export interface ExitInfo {
  exitCode: number | null;
  signal: string | null;
  /** Set when the process could not be spawned at all. */
  spawnError?: string;
}

/** Everything needed to launch one plugin process. */
export interface PluginProcessOptions {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  initialize: InitializeParams;
  /** Capabilities plugins.json declares; the handshake must list the same set when non-empty. */
  declaredCapabilities: readonly string[];
  /** Spawn to `initialize` answer, in ms. */
  startTimeout: number;
  /** Unread bytes on the plugin's stdin past which calls fail with Overloaded and events are dropped. */
  maxUnreadInputBytes: number;
  /** Requests the plugin sends to the kernel (bus calls, subscriptions). */
  onRequest(method: string, params: unknown, context: IncomingRequestContext): unknown;
  /** Notifications the plugin sends ($/log, $/publish). */
  onNotification(method: string, params: unknown): void;
  /** One line the plugin wrote to stderr. */
  onStderrLine(line: string): void;
  /** Something on stdout that was not a valid message. */
  onDiagnostic(diagnostic: ConnectionDiagnostic): void;
}

/** How to stop a plugin process. */
export interface StopOptions {
  /** Aborting it kills the process at once (SIGKILL). */
  signal?: AbortSignal;
  /** The graceful budget in ms: the `shutdown` answer and the exit after stdin closes, together. */
  timeout?: number;
}

const MAX_STDERR_LINE_BYTES = 1024 * 1024;
/** stderr lines quoted when a start fails: usually the plugin's own explanation. */
const STDERR_TAIL_LINES = 5;

/**
 * One running plugin child process and its connection. Owns spawn, the handshake, calls into
 * the plugin and the stop sequence (shutdown, close stdin, SIGTERM, SIGKILL). It does not restart;
 * the supervisor decides that.
 */
export class PluginProcess {
  readonly #options: PluginProcessOptions;
  readonly #child: ChildProcess;
  readonly #connection: RpcConnection;
  readonly #transport: StreamTransport;
  readonly #exited: Promise<ExitInfo>;
  #exit: ExitInfo | undefined;
  #handshake: InitializeResult | undefined;
  #stopping: Promise<ExitInfo> | undefined;
  readonly #stderrTail: string[] = [];
  readonly spawnedAt = Date.now();
  readyAt = 0;

  private constructor(options: PluginProcessOptions) {
    this.#options = options;
    this.#child = execa(options.command, options.args, {
      cwd: options.cwd,
      env: options.env,
      extendEnv: false,
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      cleanup: true,
      windowsHide: true,
    });
    this.#transport = new StreamTransport(this.#child.stdout!, this.#child.stdin!, { onInputEnd: 'wait' });
    this.#connection = new RpcConnection(this.#transport, {
      onRequest: options.onRequest,
      onNotification: options.onNotification,
      onDiagnostic: options.onDiagnostic,
    });
    this.#exited = new Promise((resolve) => {
      const finish = (info: ExitInfo) => {
        if (this.#exit) return;
        this.#exit = info;
        this.#transport.terminate('plugin exited', exitedError(options.name, info));
        resolve(info);
      };
      // A plugin may write its last answer just before exiting: read stdout to its end before
      // failing what is still pending, but do not wait on a grandchild that holds the pipe open.
      this.#child.once('exit', (exitCode, signal) => {
        const stdout = this.#child.stdout!;
        if (stdout.readableEnded || stdout.destroyed) return finish({ exitCode, signal });
        const timer = setTimeout(() => finish({ exitCode, signal }), KernelTimeouts.stdoutDrain);
        stdout.once('end', () => {
          clearTimeout(timer);
          finish({ exitCode, signal });
        });
      });
      this.#child.once('error', (error: NodeJS.ErrnoException) => {
        if (this.#child.pid === undefined) finish({ exitCode: null, signal: null, spawnError: `${error.code ?? ''} ${error.message}`.trim() });
      });
    });
    // execa's own promise settles on exit; its result is not needed (reject: false), but it must be observed.
    void (this.#child as unknown as Promise<unknown>).then?.(() => {}, () => {});
    this.#child.stdin!.on('error', () => {});
    this.#child.stdout!.on('error', () => {});
    const stderr = new LineReader(
      {
        onLine: (line) => {
          this.#stderrTail.push(line);
          if (this.#stderrTail.length > STDERR_TAIL_LINES) this.#stderrTail.shift();
          options.onStderrLine(line);
        },
        onOversized: (bytes) => options.onStderrLine(`[stderr line of ${bytes} bytes dropped]`) },
      { maxLineBytes: MAX_STDERR_LINE_BYTES, concat: (chunks, size) => Buffer.concat(chunks as Buffer[], size) },
    );
    this.#child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
    this.#child.stderr!.on('end', () => stderr.end());
    this.#child.stderr!.on('error', () => {});
    this.#connection.start();
  }

  /**
   * Spawns the plugin and completes the handshake: `initialize` within the start timeout, the
   * answer checked against plugins.json, then `initialized`. On failure the process is killed.
   */
  static async start(options: PluginProcessOptions, { signal }: { signal?: AbortSignal } = {}): Promise<PluginProcess> {
    const plugin = new PluginProcess(options);
    try {
      await plugin.#performHandshake(signal);
      return plugin;
    } catch (error) {
      plugin.kill();
      await plugin.#exited;
      throw error;
    }
  }

  /** The process id, or undefined when spawning failed. */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** The plugin's answer to `initialize`. */
  get handshake(): InitializeResult {
    return this.#handshake!;
  }

  /** Resolves once the process has exited. */
  get exited(): Promise<ExitInfo> {
    return this.#exited;
  }

  /** True until the process exits. */
  get alive(): boolean {
    return this.#exit === undefined;
  }

  /**
   * Calls into the plugin (a capability, or `$/ping`). Fails at once with Overloaded while the
   * plugin leaves more than `maxUnreadInputBytes` unread on its stdin: a plugin that stops
   * reading must not grow the kernel's memory (pings still go, so the health check notices).
   */
  request(method: string, params: unknown, options?: RequestOptions): Promise<unknown> {
    const unread = this.unreadInputBytes;
    if (unread > this.#options.maxUnreadInputBytes && method !== Method.Ping) {
      return Promise.reject(new BusError(ErrorCode.Overloaded, `Plugin '${this.#options.name}' is not reading its input: ${(unread / 2 ** 20).toFixed(1)} MiB of calls wait unread (limits.inputBufferMb)`, {
        plugin: this.#options.name,
        reason: 'input-unread',
        unreadBytes: unread,
      }));
    }
    return this.#connection.request(method, params, options);
  }

  /** Sends a notification to the plugin (`$/event`); dropped while its unread input is over the limit. */
  notify(method: string, params: unknown): void {
    if (this.unreadInputBytes > this.#options.maxUnreadInputBytes) return;
    this.#connection.notify(method, params);
  }

  /** Bytes written to the plugin's stdin that it has not read yet (beyond what the pipe holds). */
  get unreadInputBytes(): number {
    return this.#child.stdin?.writableLength ?? 0;
  }

  /** Requests in flight from the kernel to this plugin. */
  get inFlight(): number {
    return this.#connection.pendingCount;
  }

  /**
   * Stops the plugin: `shutdown` (it drains), then close stdin, both within `timeout` ms together
   * (default Defaults.shutdownTimeoutMs); then SIGTERM, and SIGKILL after Defaults.killGraceMs.
   * `signal` skips straight to SIGKILL. Resolves with how it exited; concurrent calls share one stop.
   */
  stop({ signal, timeout = Defaults.shutdownTimeoutMs }: StopOptions = {}): Promise<ExitInfo> {
    this.#stopping ??= this.#stop(signal, timeout);
    return this.#stopping;
  }

  /** Same as stop() with the default budget; calls still in flight fail with PluginExited. Safe to call twice. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  async #stop(signal: AbortSignal | undefined, timeout: number): Promise<ExitInfo> {
    if (this.#exit) return this.#exit;
    const onAbort = () => this.kill();
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const deadline = Date.now() + timeout;
      await this.request(Method.Shutdown, {}, { totalTimeout: timeout, signal }).catch(() => {});
      this.#child.stdin!.end();
      if (await this.#waitExit(deadline - Date.now())) return this.#exit!;
      this.#child.kill('SIGTERM');
      if (await this.#waitExit(Defaults.killGraceMs)) return this.#exit!;
      this.kill();
      return await this.#exited;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Kills the process with SIGKILL at once. Safe to call any number of times. */
  kill(): void {
    if (this.#exit === undefined) this.#child.kill('SIGKILL');
  }

  async #performHandshake(signal: AbortSignal | undefined): Promise<void> {
    const { name, startTimeout } = this.#options;
    let result: unknown;
    try {
      result = await this.request(Method.Initialize, this.#options.initialize, { totalTimeout: startTimeout, signal });
    } catch (error) {
      throw handshakeError(name, error, startTimeout, await this.#exitSoon(), this.#stderrTail);
    }
    this.#handshake = checkHandshake(name, result, this.#options.initialize.protocolVersions, this.#options.declaredCapabilities);
    this.#connection.notify(Method.Initialized, {});
    this.readyAt = Date.now();
  }

  /** The exit info if the process exits within a moment: a failed handshake is often a crash. */
  async #exitSoon(): Promise<ExitInfo | undefined> {
    return (await this.#waitExit(KernelTimeouts.handshakeExit)) ? this.#exit : undefined;
  }

  async #waitExit(ms: number): Promise<boolean> {
    if (this.#exit) return true;
    if (ms <= 0) return false;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    const result = await Promise.race([this.#exited.then(() => true as const), timedOut]);
    clearTimeout(timer);
    return result;
  }
}

/** The error every call in flight gets when the plugin exits. */
export function exitedError(plugin: string, info: ExitInfo): BusError {
  const how = info.spawnError ? `could not start (${info.spawnError})` : info.signal ? `was killed by ${info.signal}` : `exited with code ${info.exitCode}`;
  return new BusError(ErrorCode.PluginExited, `Plugin '${plugin}' ${how} while the call was in flight`, {
    plugin,
    exitCode: info.exitCode,
    signal: info.signal,
  });
}

function handshakeError(plugin: string, error: unknown, timeoutMs: number, exit: ExitInfo | undefined, stderrTail: readonly string[]): LocalError {
  if (exit?.spawnError) {
    return new LocalError(LocalErrorCode.SpawnFailed, `Plugin '${plugin}' could not be started: ${exit.spawnError}`, { plugin, reason: exit.spawnError }, { cause: error });
  }
  if (error instanceof BusError && error.code !== ErrorCode.PluginExited && error.code !== ErrorCode.Timeout) {
    return new LocalError(LocalErrorCode.HandshakeFailed, `Plugin '${plugin}' refused initialize: ${error.message} (code ${error.code})`, { plugin, reason: error.message, code: error.code, data: error.data }, { cause: error });
  }
  if (exit) {
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.exitCode}`;
    const said = stderrTail.length === 0 ? '' : `; its last stderr lines:\n  ${stderrTail.map((line) => line.slice(0, 500)).join('\n  ')}`;
    return new LocalError(LocalErrorCode.HandshakeFailed, `Plugin '${plugin}' ${how} before completing the handshake${said}`, { plugin, reason: how, ...exit, stderr: [...stderrTail] }, { cause: error });
  }
  if (error instanceof BusError && error.code === ErrorCode.Timeout) {
    return new LocalError(LocalErrorCode.HandshakeTimeout, `Plugin '${plugin}' did not answer initialize within ${timeoutMs} ms`, { plugin, timeoutMs }, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new LocalError(LocalErrorCode.HandshakeFailed, `Plugin '${plugin}' failed the handshake: ${message}`, { plugin, reason: message }, { cause: error });
}
