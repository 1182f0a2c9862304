import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
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
