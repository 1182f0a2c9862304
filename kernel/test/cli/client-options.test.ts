import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveClientOptions } from '../../src/cli/client/client-options.ts';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function keyFile(contents: string): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'cds-keyfile-'));
  const file = join(dir, 'operator-key');
  await writeFile(file, contents);
  return file;
}

describe('the key client commands send', () => {
  it('comes from --key, then CYBERSTUDIO_API_KEY, then the operator key file', async () => {
    const file = await keyFile('cds_00000000_fromfile\n');
    const env = { CYBERSTUDIO_KEY_FILE: file };

    expect(resolveClientOptions({ key: 'flag' }, { ...env, CYBERSTUDIO_API_KEY: 'env' }).key).toBe('flag');
    expect(resolveClientOptions({}, { ...env, CYBERSTUDIO_API_KEY: 'env' }).key).toBe('env');
    expect(resolveClientOptions({}, env).key).toBe('cds_00000000_fromfile');
  });

  it('reads the operator key under CYBERSTUDIO_DATA when no file is named', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cds-keyfile-'));
    const data = join(dir, 'data');
    await mkdir(join(data, 'plugins', 'auth'), { recursive: true });
    await writeFile(join(data, 'plugins', 'auth', 'operator-key'), 'cds_11111111_indata\n');

    expect(resolveClientOptions({}, { CYBERSTUDIO_DATA: data }).key).toBe('cds_11111111_indata');
  });

  it('never sends the operator key to a gateway that is not on this machine', async () => {
    const file = await keyFile('cds_00000000_local\n');

    expect(resolveClientOptions({ url: 'http://10.0.0.5:6813' }, { CYBERSTUDIO_KEY_FILE: file }).key).toBeUndefined();
    expect(resolveClientOptions({ url: 'http://[::1]:6813' }, { CYBERSTUDIO_KEY_FILE: file }).key).toBe('cds_00000000_local');
  });

  it('is absent when there is no key anywhere', () => {
    expect(resolveClientOptions({}, { CYBERSTUDIO_KEY_FILE: '/nonexistent/key' }).key).toBeUndefined();
  });
});
