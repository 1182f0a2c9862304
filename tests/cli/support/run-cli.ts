import { createServer } from 'node:net';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { repoRoot } from '../../integration/support/test-kernel.ts';

/** The CLI's entry, run as users run it: `node kernel/bin/cyberstudio.mjs`. */
export const cliPath = join(repoRoot, 'kernel', 'bin', 'cyberstudio.mjs');

/** How a CLI run ended. */
export interface CliResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}

/** Options of one CLI run: extra environment and text for stdin (stdin is closed without it). */
export interface CliRunOptions {
  env?: Record<string, string>;
  input?: string;
  /** Keep stdout's and stderr's last newline (by default it is stripped, as `$(...)` does). */
  keepFinalNewline?: boolean;
}

/** This process's environment without CYBERSTUDIO_* (which would redirect the client), with colour off and no operator key file. */
export function cliEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('CYBERSTUDIO_')) env[name] = value;
  // No operator key from a ./data a developer's own `npm start` left in the repository.
  return { ...env, NO_COLOR: '1', CYBERSTUDIO_KEY_FILE: '/nonexistent/cyberstudio-operator-key', ...extra };
}

/** Runs the CLI from the repository root until it exits. */
export async function runCli(args: string[], options: CliRunOptions = {}): Promise<CliResult> {
  const result = await startCli(args, options);
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}

/** Starts the CLI and hands back the running process (for streams and signals); its promise never rejects. */
export function startCli(args: string[], options: CliRunOptions = {}): ResultPromise<{ reject: false; encoding: 'utf8' }> {
  return execa(process.execPath, [cliPath, ...args], {
    cwd: repoRoot,
    env: cliEnv(options.env),
    extendEnv: false,
    reject: false,
    encoding: 'utf8',
    stripFinalNewline: options.keepFinalNewline !== true,
    ...(options.input === undefined ? { stdin: 'ignore' } : { input: options.input }),
    timeout: 25_000,
  }) as ResultPromise<{ reject: false; encoding: 'utf8' }>;
}

/** A loopback port nothing listens on (bound once, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
