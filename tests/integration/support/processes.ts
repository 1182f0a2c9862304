import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect, vi } from 'vitest';
import { repoRoot } from './test-kernel.ts';

/** How a child process ended and everything it wrote. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Pids of live processes with `token` among their arguments (Linux /proc). */
export function pidsWithArg(token: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(token)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** Runs `args` under node from the repository root with `env` (default: this process's), collecting its output; resolves when it exits. */
export function run(args: string[], env?: NodeJS.ProcessEnv, options: { stdin?: 'pipe' | 'ignore' } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: [options.stdin ?? 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A `cyberstudio start --json` child process, read up to its `kernel ready` line (or another `until`). */
export interface RunningCli {
  child: ChildProcess;
  /** The gateway URL (from the first record that names one). */
  url: string;
  /** Every JSON log record the kernel printed so far (the array keeps growing). */
  records: { msg: string; url?: string }[];
  /** What it wrote on stderr so far (read, so a full pipe never blocks it). */
  stderr(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/**
 * Starts `cyberstudio start <args> --json` from the repository root with `env` (default: this
 * process's) and resolves once it logs `until` (default `kernel ready`); `onSpawn` receives the
 * child at once, so a test can register its cleanup before waiting.
 */
export async function startCli(args: string[], { env, onSpawn, until = 'kernel ready' }: { env?: NodeJS.ProcessEnv; onSpawn?: (child: ChildProcess) => void; until?: string } = {}): Promise<RunningCli> {
  const cli = join(repoRoot, 'kernel', 'bin', 'cyberstudio.mjs');
  const child = spawn(process.execPath, [cli, 'start', ...args, '--json'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  onSpawn?.(child);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const records: { msg: string; url?: string }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => records.push(JSON.parse(line)));
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  await vi.waitFor(() => expect(records.map((record) => record.msg), stderr).toContain(until), { timeout: 30_000, interval: 50 });
  return { child, url: records.find((record) => record.url !== undefined)!.url!, records, stderr: () => stderr, exited };
}
