import { dirname, extname, isAbsolute, resolve } from 'node:path';
import type { PluginManifest } from './registry-types.ts';

/** What to spawn for a plugin: a program (found on PATH unless absolute), its arguments and directory. */
export interface LaunchCommand {
  command: string;
  args: string[];
  cwd: string;
}

/**
 * Kernel environment variables every plugin receives. Plugins inherit nothing else from the
 * kernel (no secrets, no NODE_OPTIONS) unless the registry lists the name in `envAllow`.
 */
export const PASS_THROUGH_ENV: readonly string[] = ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR', 'SystemRoot'];

// A file URL, so `--import` accepts it on every platform and whatever the plugin's cwd is.
const tsxLoader = import.meta.resolve('tsx');

/**
 * How to start `manifest`, with relative paths taken against `baseDir` (the registry file's
 * directory): `.ts` runs under node with tsx, `.js`/`.mjs`/`.cjs` under node, `.py` under
 * python3, other entrypoints as executables; a `command` runs as given (`./x` or any path with a
 * separator is relative to baseDir, a bare name is looked up on PATH). cwd defaults to the
 * entrypoint's directory, or baseDir for commands.
 */
export function launchCommand(
  manifest: Pick<PluginManifest, 'entrypoint' | 'command' | 'args' | 'cwd'>,
  baseDir: string,
): LaunchCommand {
  const { entrypoint, command, args } = manifest;
  if (entrypoint !== undefined) {
    const file = resolve(baseDir, entrypoint);
    const cwd = manifest.cwd === undefined ? dirname(file) : resolve(baseDir, manifest.cwd);
    const interpreter = interpreterFor(file);
    return { command: interpreter.command, args: [...interpreter.args, ...args], cwd };
  }
  if (command === undefined) throw new TypeError('a plugin manifest needs an entrypoint or a command');
  const isPath = /[\\/]/.test(command) && !isAbsolute(command);
  return {
    command: isPath ? resolve(baseDir, command) : command,
    args: [...args],
    cwd: manifest.cwd === undefined ? baseDir : resolve(baseDir, manifest.cwd),
  };
}

/**
 * The environment a plugin starts with, before the kernel adds its CYBERSTUDIO_* variables:
 * PASS_THROUGH_ENV and `envAllow` names copied from `kernelEnv` when set, then `env` on top.
 */
export function launchEnvironment(
  manifest: Pick<PluginManifest, 'env' | 'envAllow'>,
  kernelEnv: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const name of [...PASS_THROUGH_ENV, ...manifest.envAllow]) {
    const value = kernelEnv[name];
    if (value !== undefined) environment[name] = value;
  }
  return { ...environment, ...manifest.env };
}

function interpreterFor(file: string): { command: string; args: string[] } {
  switch (extname(file).toLowerCase()) {
    case '.ts':
    case '.mts':
    case '.cts':
      return { command: process.execPath, args: ['--import', tsxLoader, file] };
    case '.js':
    case '.mjs':
    case '.cjs':
      return { command: process.execPath, args: [file] };
    case '.py':
      return { command: 'python3', args: [file] };
    default:
      return { command: file, args: [] };
  }
}
