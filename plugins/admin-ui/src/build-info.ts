import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What ui/vite.config.ts writes to build-info.json: the ui package version and when it was built. */
export interface BuildInfo {
  version: string;
  builtAt: string;
}

/** The build's build-info.json, or null when the directory holds no (readable) build. */
export async function readBuildInfo(distDir: string): Promise<BuildInfo | null> {
  try {
    const info = JSON.parse(await readFile(join(distDir, 'build-info.json'), 'utf8')) as Partial<BuildInfo>;
    return typeof info.version === 'string' && typeof info.builtAt === 'string' ? { version: info.version, builtAt: info.builtAt } : null;
  } catch {
    return null;
  }
}
