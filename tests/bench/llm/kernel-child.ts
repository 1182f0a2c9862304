import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { llmPlugin } from '../../../plugins/llmserver/src/llm-plugin.ts';
import { OPENAI_ROUTES } from '../../../plugins/llmserver/src/openai/openai-capabilities.ts';
import { LLM_SETTINGS } from './llm-workload.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** How long `cyberstudio start` may take to log "kernel ready" (llmserver loads llama.cpp first). */
const READY_TIMEOUT_MS = 60_000;
/** How long the kernel may take to stop after SIGINT before it is killed. */
const EXIT_GRACE_MS = 10_000;

/** A real `cyberstudio start` serving llmserver alone. */
export interface KernelChild {
  /** The gateway, `http://127.0.0.1:<port>` (no gateway.auth: every request is the local operator). */
  readonly url: string;
  readonly kernelPid: number;
  readonly pluginPid: number;
  /** Stops the kernel (SIGINT, then SIGKILL after a grace period). Idempotent. */
  close(): Promise<void>;
}

/**
 * Writes `<dir>/plugins.json` with only llmserver (LLM_SETTINGS, models from `modelsDir`, no tiny
 * model of its own), starts `node kernel/bin/cyberstudio.mjs start` on it on an ephemeral port,
 * and waits for "kernel ready". The child inherits this process's CPU affinity.
 */
export async function startKernelChild(dir: string, modelsDir: string): Promise<KernelChild> {
  const registryFile = join(dir, 'plugins.json');
  const llmserver = {
    name: 'llmserver',
    entrypoint: join(repoRoot, 'plugins/llmserver/dist/main.js'),
    activation: 'startup',
    capabilities: Object.keys(llmPlugin.capabilities),
    http: { routes: OPENAI_ROUTES },
    config: { ...LLM_SETTINGS, modelsDir, generateTinyModel: false },
    // As in the repository's plugins.json: llmserver may meter through auth (metering: auto); with no auth plugin here it serves unmetered.
    permissions: { call: ['auth.usage.reserve', 'auth.usage.commit', 'auth.usage.release'] },
    healthcheck: { startTimeoutSeconds: 60 },
  };
  await writeFile(registryFile, JSON.stringify({ plugins: [llmserver] }, null, 2));
  const child = spawn(process.execPath, ['kernel/bin/cyberstudio.mjs', 'start', '--plugins', registryFile, '--data', join(dir, 'data'), '--port', '0', '--json'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let closed: Promise<void> | undefined;
  const close = () => (closed ??= stop(child));
  try {
    const url = await readyUrl(child);
    const pluginPid = await pluginPidOf(url, 'llmserver');
    return { url, kernelPid: child.pid!, pluginPid, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Reads the kernel's JSON log lines until "kernel ready" and returns its `url`; the rest of the log is drained unread. */
function readyUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cyberstudio start: no "kernel ready" within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    const exited = (code: number | null) => reject(new Error(`cyberstudio start exited (code ${code}) before "kernel ready"`));
    child.once('exit', exited);
    let partial = '';
    const onData = (data: string) => {
      const lines = (partial + data).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        const record = JSON.parse(line) as { msg?: string; url?: string; level?: number };
        if (record.level !== undefined && record.level >= 50) process.stderr.write(`  kernel: ${line}\n`);
        if (record.msg !== 'kernel ready' || record.url === undefined) continue;
        clearTimeout(timer);
        child.off('exit', exited);
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve(record.url);
      }
    };
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', onData);
  });
}

/** The pid of `plugin`'s process, from the kernel's own `kernel.plugins.get` over POST /rpc. */
async function pluginPidOf(url: string, plugin: string): Promise<number> {
  const response = await fetch(new URL('/rpc', url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'kernel.plugins.get', params: { plugin } }),
  });
  const reply = (await response.json()) as { result?: { pid: number | null; state: string; lastError: string | null } };
  const pid = reply.result?.pid;
  if (typeof pid !== 'number') throw new Error(`${plugin} is not running: ${JSON.stringify(reply).slice(0, 500)}`);
  return pid;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_GRACE_MS);
  await exited;
  clearTimeout(timer);
}
