import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalErrorCode } from '@cyberstudio/sdk';
import { openDatabase, type Generated } from '../src/index.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const childScript = fileURLToPath(new URL('./fixtures/database-child.ts', import.meta.url));

interface ItemsTable {
  id: Generated<number>;
  payload: string;
}

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cds-database-'));
  file = join(dir, 'plugin.sqlite');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Starts the fixture in a process of its own; `lines` yields its stdout line by line. */
function startChild(...args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, exited, lines: createInterface({ input: child.stdout }), stderr: () => stderr };
}

/** Runs `try-open` in another process and returns what it printed. */
async function openInOtherProcess(busyTimeoutMs: number): Promise<{ opened?: true; code?: string; message?: string }> {
  const { lines, exited, stderr } = startChild('try-open', file, String(busyTimeoutMs));
  const output: string[] = [];
  for await (const line of lines) output.push(line);
  const [code] = await exited;
  expect(code, stderr()).toBe(0);
  return JSON.parse(output.join('\n')) as { opened?: true; code?: string; message?: string };
}

describe('one writer per file', () => {
  it('refuses a second process while the first holds the file, and admits it after close', async () => {
    const first = await openDatabase({ dialect: 'sqlite', file });
    const refused = await openInOtherProcess(0);
    expect(refused.code).toBe(LocalErrorCode.DatabaseInUse);
    expect(refused.message).toContain(file);
    await first.close();
    expect(await openInOtherProcess(0)).toEqual({ opened: true });
  });

  it('refuses a second open of the same file within one process', async () => {
    await using _first = await openDatabase({ dialect: 'sqlite', file });
    await expect(openDatabase({ dialect: 'sqlite', file, busyTimeoutMs: 0 }))
      .rejects.toMatchObject({ code: LocalErrorCode.DatabaseInUse, details: { file } });
  });

  it('stops waiting for a busy file when the signal aborts', async () => {
    await using _first = await openDatabase({ dialect: 'sqlite', file });
    const controller = new AbortController();
    const opening = openDatabase({ dialect: 'sqlite', file, busyTimeoutMs: 600_000, signal: controller.signal });
    const reason = new Error('operator gave up');
    setTimeout(() => controller.abort(reason), 50);
    await expect(opening).rejects.toBe(reason);
  });

  it('keeps every committed row of a writer killed with SIGKILL, and leaves no lock behind', async () => {
    const writer = startChild('write-forever', file);
    const printed: number[] = [];
    for await (const line of writer.lines) {
      printed.push(Number(line));
      if (printed.length === 200) writer.child.kill('SIGKILL');
    }
    const [, signal] = await writer.exited;
    expect(signal, writer.stderr()).toBe('SIGKILL');

    // busyTimeoutMs 0: a lock left behind would fail this open at once.
    await using database = await openDatabase<{ items: ItemsTable }>({ dialect: 'sqlite', file, busyTimeoutMs: 0 });
    const stored = new Set((await database.db.selectFrom('items').select('id').execute()).map((row) => row.id));
    expect(printed.length).toBeGreaterThanOrEqual(200);
    expect(printed.filter((id) => !stored.has(id))).toEqual([]);
  });
});
