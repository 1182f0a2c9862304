import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../src/protocol/error-codes.ts';
import { PLUGIN_COOKIE_ENV, PLUGIN_COOKIE_VALUE } from '../src/protocol/protocol-constants.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
// The shipped build of the hello plugin, run by plain node as the kernel runs it.
const helloMain = 'plugins/hello/dist/main.js';
const consoleMain = 'sdk/test/fixtures/console-plugin.ts';

const initializeParams = (protocolVersions = { min: 1, max: 1 }) => ({
  protocolVersions,
  kernel: { name: 'cyberstudio', version: '0.1.0' },
  plugin: { name: 'hello' },
  config: {},
  dataDir: repoRoot,
});

/** How a child process ended. */
interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A plugin child process spoken to over its real stdio, the way the kernel does. */
class PluginChild {
  readonly child: ChildProcessWithoutNullStreams;
  /** Every stdout line, raw, in order. */
  readonly stdoutLines: string[] = [];
  stderr = '';
  readonly exited: Promise<Exit>;
  #nextId = 1;
  readonly #waiting = new Map<number, (message: Record<string, unknown>) => void>();

  constructor(entry: string, { cookie = true } = {}) {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
    if (cookie) env[PLUGIN_COOKIE_ENV] = PLUGIN_COOKIE_VALUE;
    this.child = spawn(process.execPath, entry.endsWith('.ts') ? ['--import', 'tsx', entry] : [entry], { cwd: repoRoot, env, stdio: 'pipe' });
    this.exited = once(this.child, 'exit').then(([code, signal]) => ({ code, signal }) as Exit);
    this.child.stderr.setEncoding('utf8').on('data', (text: string) => (this.stderr += text));
    // Parent-side EPIPE when the plugin is gone is the kernel's concern, not this test's.
    this.child.stdin.on('error', () => {});
    createInterface({ input: this.child.stdout }).on('line', (line) => this.#receive(line));
  }

  /** Sends a request and resolves with the whole response message. */
  request(method: string, params: unknown): Promise<Record<string, unknown>> {
    const id = this.#nextId++;
    const response = new Promise<Record<string, unknown>>((resolve) => this.#waiting.set(id, resolve));
    this.send({ jsonrpc: '2.0', id, method, params });
    return response;
  }

  send(message: unknown): void {
    this.child.stdin.write(JSON.stringify(message) + '\n');
  }

  /** Answers initialize and sends initialized, as a kernel would. */
  async handshake(): Promise<Record<string, unknown>> {
    const response = await this.request('initialize', initializeParams());
    this.send({ jsonrpc: '2.0', method: 'initialized', params: {} });
    return response;
  }

  /** Resolves with how the process ended, or with 'still running' after `ms`. */
  exitWithin(ms: number): Promise<Exit | 'still running'> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), ms)));
    return Promise.race([this.exited, late]).finally(() => clearTimeout(timer));
  }

  #receive(line: string): void {
    this.stdoutLines.push(line);
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if (typeof message.id === 'number' && ('result' in message || 'error' in message)) this.#waiting.get(message.id)?.(message);
  }
}

const children: PluginChild[] = [];

/** Starts a plugin child that is killed after the test if it is still running. */
function start(entry: string, options?: { cookie?: boolean }): PluginChild {
  const plugin = new PluginChild(entry, options);
  children.push(plugin);
  return plugin;
}

afterEach(() => {
  for (const { child } of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

describe('runPlugin in a real child process', () => {
  it('exits 1 with an explanation naming plugins.json and cyberstudio when the cookie is missing', async () => {
    const plugin = start(helloMain, { cookie: false });
    await expect(plugin.exited).resolves.toEqual({ code: 1, signal: null });
    expect(plugin.stderr).toMatch(/plugins\.json/);
    expect(plugin.stderr).toMatch(/cyberstudio/);
    expect(plugin.stdoutLines).toEqual([]);
  });

  it('answers initialize over real stdio when the cookie is set', async () => {
    const plugin = start(helloMain);
    const response = await plugin.request('initialize', initializeParams());
    expect(response).toMatchObject({ jsonrpc: '2.0', id: 1, result: { name: 'hello', protocolVersion: 1 } });
    expect((response.result as { capabilities: { name: string }[] }).capabilities.map(({ name }) => name)).toEqual(['hello.echo', 'hello.stream']);
  });

  it('exits 0 within a few seconds once its stdin is closed', async () => {
    const plugin = start(helloMain);
    await plugin.handshake();
    plugin.child.stdin.end();
    await expect(plugin.exitWithin(5_000)).resolves.toEqual({ code: 0, signal: null });
  });

  it('exits 0 after a clean shutdown and stdin EOF', async () => {
    const plugin = start(helloMain);
    await plugin.handshake();
    await expect(plugin.request('shutdown', {})).resolves.toMatchObject({ result: {} });
    plugin.child.stdin.end();
    await expect(plugin.exitWithin(5_000)).resolves.toEqual({ code: 0, signal: null });
  });

  it('answers a protocol version range it cannot speak with -32010 and exits with a non-zero code', async () => {
    const plugin = start(helloMain);
    const response = await plugin.request('initialize', initializeParams({ min: 2, max: 2 }));
    expect(response).toMatchObject({ error: { code: ErrorCode.ProtocolVersionUnsupported } });
    const exit = await plugin.exitWithin(5_000);
    expect(exit).not.toBe('still running');
    expect((exit as Exit).code).not.toBe(0);
  });

  describe('console output', () => {
    /** Makes the console fixture print `text` with console[method], then ends the process. */
    async function print(method: string, text: string): Promise<PluginChild> {
      const plugin = start(consoleMain);
      await plugin.handshake();
      await expect(plugin.request('console.print', { method, text })).resolves.toMatchObject({ result: null });
      plugin.child.stdin.end();
      await plugin.exited;
      return plugin;
    }

    it('sends console.log of a plugin to stderr, keeping stdout protocol only', async () => {
      const plugin = await print('log', 'written with console.log');
      expect(plugin.stderr).toContain('written with console.log');
      for (const line of plugin.stdoutLines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    });

    it('sends console.dir of a plugin to stderr, keeping stdout protocol only', async () => {
      const plugin = await print('dir', 'written with console.dir');
      expect(plugin.stderr).toContain('written with console.dir');
      for (const line of plugin.stdoutLines) expect(() => JSON.parse(line), line).not.toThrow();
    });
  });

  it('keeps running when its stdout reader is gone (EPIPE) and exits 0 once stdin closes', async () => {
    const plugin = start(helloMain);
    await plugin.handshake();
    plugin.child.stdout.destroy();
    for (let id = 100; id < 110; id++) {
      plugin.send({ jsonrpc: '2.0', id, method: 'hello.stream', params: { count: 200, text: 'x'.repeat(1_000) } });
    }
    await expect(plugin.exitWithin(1_000)).resolves.toBe('still running');
    plugin.child.stdin.end();
    await expect(plugin.exitWithin(5_000)).resolves.toEqual({ code: 0, signal: null });
    expect(plugin.stderr).not.toMatch(/Unhandled|EPIPE/);
  });
});
