import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { launchCommand, launchEnvironment, PASS_THROUGH_ENV } from '../../src/registry/index.ts';

const baseDir = '/srv/studio';

describe('launchCommand', () => {
  it('runs a .ts entrypoint under node with the tsx loader', () => {
    const launch = launchCommand({ entrypoint: 'plugins/hello/src/main.ts', args: [] }, baseDir);
    expect(launch.command).toBe(process.execPath);
    expect(launch.args).toEqual(['--import', expect.stringMatching(/^file:.*tsx\/dist\/loader\.mjs$/), '/srv/studio/plugins/hello/src/main.ts']);
    expect(existsSync(fileURLToPath(launch.args[1]!))).toBe(true);
  });

  it.each(['main.js', 'main.mjs', 'main.cjs'])('runs %s under node', (entrypoint) => {
    expect(launchCommand({ entrypoint, args: [] }, baseDir)).toMatchObject({ command: process.execPath, args: [`/srv/studio/${entrypoint}`] });
  });

  it('runs a .py entrypoint under python3', () => {
    expect(launchCommand({ entrypoint: 'py/main.py', args: [] }, baseDir)).toMatchObject({ command: 'python3', args: ['/srv/studio/py/main.py'] });
  });

  it('executes an entrypoint with any other extension directly', () => {
    expect(launchCommand({ entrypoint: 'bin/plugin', args: [] }, baseDir)).toMatchObject({ command: '/srv/studio/bin/plugin', args: [] });
  });

  it('appends args after the entrypoint file', () => {
    expect(launchCommand({ entrypoint: 'main.py', args: ['--fast'] }, baseDir).args).toEqual(['/srv/studio/main.py', '--fast']);
  });

  it('leaves a bare command name for PATH lookup', () => {
    expect(launchCommand({ command: 'uvx', args: ['tool'] }, baseDir)).toEqual({ command: 'uvx', args: ['tool'], cwd: baseDir });
  });

  it('resolves a ./ command against baseDir', () => {
    expect(launchCommand({ command: './bin/plugin', args: [] }, baseDir).command).toBe('/srv/studio/bin/plugin');
  });

  it("defaults cwd to the entrypoint's directory", () => {
    expect(launchCommand({ entrypoint: 'plugins/hello/src/main.ts', args: [] }, baseDir).cwd).toBe('/srv/studio/plugins/hello/src');
  });

  it('takes a cwd from the manifest relative to baseDir', () => {
    expect(launchCommand({ entrypoint: 'plugins/hello/src/main.ts', args: [], cwd: 'plugins/hello' }, baseDir).cwd).toBe('/srv/studio/plugins/hello');
  });

  it('starts a TypeScript entrypoint from a directory outside the repository', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cds-launch-'));
    try {
      await mkdir(join(dir, 'src'));
      await writeFile(join(dir, 'src', 'main.ts'), "const greeting: string = 'typed hello';\nprocess.stdout.write(greeting);\n");
      const launch = launchCommand({ entrypoint: 'src/main.ts', args: [] }, dir);
      const result = spawnSync(launch.command, launch.args, { cwd: launch.cwd, encoding: 'utf8', env: launchEnvironment({ env: {}, envAllow: [] }) });
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe('typed hello');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('launchEnvironment', () => {
  it('passes only the default names, envAllow names and env values', () => {
    const kernelEnv = { PATH: '/bin', HOME: '/home/k', SECRET_TOKEN: 's3', NODE_OPTIONS: '--inspect', OPENAI_API_KEY: 'k' };
    const environment = launchEnvironment({ env: { MODE: 'dev' }, envAllow: ['OPENAI_API_KEY'] }, kernelEnv);
    expect(environment).toEqual({ PATH: '/bin', HOME: '/home/k', OPENAI_API_KEY: 'k', MODE: 'dev' });
  });

  it('lets env values override passed-through ones', () => {
    expect(launchEnvironment({ env: { LANG: 'C' }, envAllow: [] }, { LANG: 'en_US.UTF-8' })).toEqual({ LANG: 'C' });
  });

  it('passes PATH, HOME, LANG, TZ, TMPDIR and SystemRoot by default', () => {
    expect([...PASS_THROUGH_ENV].sort()).toEqual(['HOME', 'LANG', 'PATH', 'SystemRoot', 'TMPDIR', 'TZ']);
  });
});
