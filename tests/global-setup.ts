import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Vitest global setup: the tests run what ships, the built JavaScript in each package's dist/,
 * so the runtime build is brought up to date first (a no-op when no source changed since the
 * last build; `npm install` made the first one). A build error fails the run here.
 */
export default function buildRuntime(): void {
  const script = fileURLToPath(new URL('../kernel/scripts/build-runtime.mjs', import.meta.url));
  execFileSync(process.execPath, [script, '--if-stale'], { stdio: 'inherit' });
}
