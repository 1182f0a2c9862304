import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../integration/support/test-kernel.ts';

/**
 * Builds the studio from ui/src into a fresh temporary directory and resolves with it, so a test
 * runs the current source (not whatever ui/dist holds) and test files never share an output
 * directory. The caller removes the directory.
 */
export async function buildStudio(): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'cds-ui-'));
  const vite = join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  const child = spawn(process.execPath, [vite, 'build', '--logLevel', 'error'], {
    cwd: join(repoRoot, 'ui'),
    env: { ...process.env, CYBERSTUDIO_UI_OUT_DIR: outDir, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`vite build of ui/ failed (exit ${code}):\n${output}`);
  return outDir;
}
