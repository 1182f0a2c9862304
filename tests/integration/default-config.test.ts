import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, startCli } from './support/processes.ts';
import { repoRoot } from './support/test-kernel.ts';

const cli = join(repoRoot, 'kernel', 'bin', 'cyberstudio.mjs');

/** The quickstart: `cyberstudio start` on the repository's plugins.json, then client commands from the same directory. */
describe("the repository's plugins.json (what npm start runs)", () => {
  let dataDir: string;
  let url: string;
  let stop: () => Promise<number | null>;
  let kernelPid: number;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cds-default-'));
    const started = await startCli(['--plugins', join(repoRoot, 'plugins.json'), '--data', dataDir, '--port', '0'], {
      onSpawn: (child) => {
        const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
        stop = async () => {
          child.kill('SIGINT');
          return exited;
        };
      },
    });
    kernelPid = started.child.pid!;
    url = started.url;
  }, 40_000);

  afterAll(async () => {
    if (stop) expect(await stop()).toBe(0);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('runs the built JavaScript under plain node: no tsx loader and no esbuild service anywhere in its process tree', () => {
    const commandLine = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const children = (pid: number): number[] =>
      readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    const tree = (pid: number): number[] => [pid, ...children(pid).flatMap(tree)];
    const commands = tree(kernelPid).map(commandLine);

    expect(commands.map((args) => args.join(' ')).filter((line) => /tsx|esbuild/.test(line))).toEqual([]);
    const plugins = commands.slice(1).map((args) => args.slice(1).join(' '));
    expect(plugins).toEqual(expect.arrayContaining(['auth', 'llmserver', 'admin-ui'].map((name) => join(repoRoot, 'plugins', name, 'dist', 'main.js'))));
    for (const args of commands) expect(args[0]).toBe(process.execPath);
  });

  it('turns authentication on: a request without a key gets 401', async () => {
    const response = await fetch(`${url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'kernel.status' }) });

    expect(response.status).toBe(401);
  });

  it('lets the CLI on this machine act as the admin through the operator key in the data directory', async () => {
    const result = await run([cli, 'plugins', 'list', '--url', url], { ...process.env, CYBERSTUDIO_DATA: dataDir, CYBERSTUDIO_API_KEY: '', CYBERSTUDIO_KEY_FILE: '' });

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^auth\s+running/m);
    expect(result.stdout).toMatch(/^hello\s+stopped/m);
    expect(result.stdout).toMatch(/^llmserver\s+running/m);
  });

  it('serves the tiny model it generated: a chat through the CLI streams text and answers with usage', async () => {
    const result = await run([cli, 'call', 'llm.chat', '{"messages":[{"role":"user","content":"Say hello"}],"max_tokens":8,"seed":1}', '--url', url, '--json'], { ...process.env, CYBERSTUDIO_DATA: dataDir, CYBERSTUDIO_API_KEY: '', CYBERSTUDIO_KEY_FILE: '' });

    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { text?: string; usage?: { completionTokens: number } });
    const answer = lines.at(-1)!;
    expect(answer.usage?.completionTokens).toBeGreaterThan(0);
    expect(lines.slice(0, -1).map((chunk) => chunk.text).join('')).toBe(answer.text);
  });

  it('creates the first admin with a password only in a file the operator can read', async () => {
    const password = (await readFile(join(dataDir, 'plugins', 'auth', 'initial-admin-password'), 'utf8')).trim();

    const response = await fetch(`${url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });

    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toMatch(/^cyberstudio_session=[^;]+; HttpOnly; SameSite=Strict/);
  });

  it('serves the studio that npm install built at the gateway root', async () => {
    const response = await fetch(`${url}/`);

    expect(response.status, 'ui/dist is missing: run npm run build -w ui').toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await response.text()).toContain('<div id="root">');
  });

  it('reports the kernel healthy, with the required auth plugin running', async () => {
    const health = (await (await fetch(`${url}/health`)).json()) as { status: string; plugins: { name: string; state: string; required: boolean }[] };

    expect(health.status).toBe('ok');
    expect(health.plugins).toContainEqual({ name: 'auth', state: 'running', required: true, enabled: true });
  });
});
