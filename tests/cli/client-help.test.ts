import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../integration/support/test-kernel.ts';
import { closedPort, runCli } from './support/run-cli.ts';

/** Every help text of the CLI, and the usage error that shows an example call. */
async function helpTexts(): Promise<string[]> {
  const runs = [['--help'], ['start', '--help'], ['plugins', 'validate', '--help'], ['call', '--help'], ['plugins', '--help'], ['logs', '--help'], ['users', '--help'], ['keys', '--help'], ['call']];
  return Promise.all(runs.map(async (args) => {
    const result = await runCli(args);
    return `${result.stdout}\n${result.stderr}`;
  }));
}

/** Dotted names in `text` that read as capabilities, topics or patterns (file names and abbreviations aside). */
function dottedNames(text: string): string[] {
  const names = [...text.matchAll(/(?<![\w./-])([a-z][a-z0-9-]+(?:\.(?:[a-z][a-z0-9-]*|\*))+)(?![\w/-])/g)].map((match) => match[1]!);
  return names.filter((name) => !/\.(json|txt|js|mjs|ts|md|sqlite|gguf|log)$/.test(name) || name.startsWith('kernel.'));
}

/** The kernel's own capability and topic names: the string literals of kernel/src that start with `kernel.`. */
function kernelNames(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) for (const [, name] of readFileSync(path, 'utf8').matchAll(/['"`](kernel\.[a-z.]+)['"`]/g)) names.add(name!);
    }
  };
  walk(join(repoRoot, 'kernel', 'src'));
  return names;
}

describe('help of the client commands', () => {
  it('lists call, plugins list and logs in cyberstudio --help', async () => {
    const result = await runCli(['--help']);

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('call <capability> [json]');
    expect(result.stdout).toContain('plugins list');
    expect(result.stdout).toContain('plugins start|stop|restart <name>');
    expect(result.stdout).toContain('logs [plugin] [-f]');
    expect(result.stdout).toContain('6  no running kernel answered');
  });

  it.each([
    [['call', '--help'], 'Usage: cyberstudio call <capability> [params-json | -]', '--no-stream'],
    [['plugins', '--help'], 'Usage: cyberstudio plugins <subcommand>', 'validate [file]'],
    [['plugins', 'list', '-h'], 'Usage: cyberstudio plugins <subcommand>', 'restart <name>'],
    [['logs', '--help'], 'Usage: cyberstudio logs [plugin] [-f]', '--since <when>'],
  ])('%j prints its usage, the common options and the exit codes', async (args, usage, option) => {
    const result = await runCli(args);

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(usage);
    expect(result.stdout).toContain(option);
    expect(result.stdout).toContain('--url <url>');
    expect(result.stdout).toContain('--key <key>');
    expect(result.stdout).toContain('Exit codes');
    expect(result.stdout).toContain('6  no running kernel answered at the gateway URL');
  });
});

/** True when `path` (gateway.port) names a setting of plugins.json's schema, following its $refs. */
function isRegistrySetting(path: string): boolean {
  const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas', 'plugins.schema.json'), 'utf8')) as Record<string, unknown>;
  const deref = (node: Record<string, unknown>): Record<string, unknown> => {
    const ref = node.$ref as string | undefined;
    return ref === undefined ? node : deref(ref.slice(2).split('/').reduce<Record<string, unknown>>((at, key) => at[key] as Record<string, unknown>, schema));
  };
  let node: Record<string, unknown> | undefined = schema;
  for (const key of path.split('.')) {
    node = node === undefined ? undefined : (deref(node).properties as Record<string, Record<string, unknown>> | undefined)?.[key];
  }
  return node !== undefined;
}

describe('names in the help texts', () => {
  it('names only capabilities, patterns, plugins and settings that the default plugins.json or the kernel has', async () => {
    const registry = JSON.parse(readFileSync(join(repoRoot, 'plugins.json'), 'utf8')) as { plugins: Array<{ name: string; capabilities?: string[] }> };
    const capabilities = new Set(registry.plugins.flatMap((plugin) => plugin.capabilities ?? []));
    const plugins = new Set(registry.plugins.map((plugin) => plugin.name));
    const kernel = kernelNames();
    const exists = (name: string) => name.endsWith('.*')
      ? [...capabilities, ...kernel].some((known) => known.startsWith(name.slice(0, -1)))
      : capabilities.has(name) || kernel.has(name) || isRegistrySetting(name);

    const texts = await helpTexts();
    const unknownNames = texts.flatMap(dottedNames).filter((name) => !exists(name));
    const pluginArguments = texts.flatMap((text) => [...text.matchAll(/cyberstudio (?:logs(?: -f)?|plugins (?:start|stop|restart)) ([a-z][\w-]*)/g)].map((match) => match[1]!));
    const unknownPlugins = pluginArguments.filter((name) => !plugins.has(name));

    expect(texts.flatMap(dottedNames)).toContain('hello.echo');
    expect({ unknownNames, unknownPlugins }).toEqual({ unknownNames: [], unknownPlugins: [] });
  });
});

describe('client commands without a kernel', () => {
  it('exit 6 naming the URL when nothing listens there', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;

    const result = await runCli(['plugins', 'list', '--url', url]);

    expect(result.exitCode).toBe(6);
    expect(result.stderr).toBe(`cyberstudio: no kernel answering at ${url} (start one with: npm start)`);
  });

  it('take the gateway address from CYBERSTUDIO_HOST and CYBERSTUDIO_PORT', async () => {
    const port = await closedPort();

    const result = await runCli(['call', 'echo.echo', '--no-stream'], { env: { CYBERSTUDIO_HOST: '127.0.0.1', CYBERSTUDIO_PORT: String(port) } });

    expect(result.exitCode).toBe(6);
    expect(result.stderr).toContain(`no kernel answering at http://127.0.0.1:${port}`);
  });

  it('prefer CYBERSTUDIO_URL to the host and port variables', async () => {
    const port = await closedPort();

    const result = await runCli(['logs', 'echo'], { env: { CYBERSTUDIO_URL: `http://localhost:${port}`, CYBERSTUDIO_PORT: '1' } });

    expect(result.exitCode).toBe(6);
    expect(result.stderr).toContain(`no kernel answering at http://localhost:${port}`);
  });

  it('exit 6 for a streaming call too (the WebSocket cannot connect)', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;

    const result = await runCli(['call', 'echo.echo', '--url', url]);

    expect(result.exitCode).toBe(6);
    expect(result.stderr).toContain(`no kernel answering at ${url}`);
  });

  it('exit 2 for a --url that is not an http URL', async () => {
    const result = await runCli(['plugins', 'list', '--url', 'ftp://example']);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("--url must be an http:// or https:// URL, not 'ftp://example'");
  });

  it('exit 2 naming an unknown flag', async () => {
    const result = await runCli(['logs', 'echo', '--colour']);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("Unknown option '--colour'");
    expect(result.stderr).toContain("Run 'cyberstudio logs --help' for usage.");
  });
});
