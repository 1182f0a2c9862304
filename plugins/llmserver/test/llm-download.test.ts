import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ErrorCode } from '@cyberstudio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DownloadResult } from '../src/capabilities/model-admin-capabilities.ts';
import type { DownloadProgress } from '../src/download/downloads.ts';
import { PartialDownload } from '../src/download/partial-download.ts';
import type { ModelEntry } from '../src/llm-state.ts';
import { generateTinyModel } from '../src/tiny-model/generate-tiny-model.ts';
import { FakeModelHost } from './support/fake-model-host.ts';
import { busErrorOf, eventually, startLlm, type LlmHarness } from './support/llm-harness.ts';
import { useScratchDir } from './support/scratch-dir.ts';

const scratch = useScratchDir();
let tiny: Buffer;
let tinySha256: string;
let host: FakeModelHost;
let llm: LlmHarness;

beforeAll(async () => {
  const file = scratch.file('tiny.gguf');
  await generateTinyModel(file);
  tiny = await readFile(file);
  tinySha256 = createHash('sha256').update(tiny).digest('hex');
  host = await FakeModelHost.start();
  llm = await startLlm({ huggingFaceEndpoint: host.url });
});

afterAll(async () => {
  await llm?.close();
  await host?.close();
});

const download = (params: Record<string, unknown>, options: { onProgress?: (chunk: unknown) => void; signal?: AbortSignal } = {}) =>
  llm.plugin.call<DownloadResult>('llm.models.download', params, options);
/** The sha256 of a model file: comparing digests is quick where deep-equal on 587 KB buffers is not. */
const modelSha256 = async (id: string) => createHash('sha256').update(await readFile(path.join(llm.modelsDir, `${id}.gguf`))).digest('hex');
const exists = (file: string) => stat(file).then(() => true, () => false);
const listed = async (id: string) => (await llm.plugin.call<{ models: ModelEntry[] }>('llm.models.list', {})).models.find((model) => model.id === id);
const partFile = (id: string) => new PartialDownload(llm.modelsDir, id).partFile;

describe('llm.models.download: sources', () => {
  it('downloads an hf: reference through the configured endpoint, and the model answers llm.chat', async () => {
    host.hub('acme', 'tiny-GGUF', 'main', 'tiny.gguf', { bytes: tiny });

    const result = await download({ source: 'hf:acme/tiny-GGUF/tiny.gguf', id: 'from-ref' });
    const answer = await llm.plugin.call<{ model: string; text: string }>('llm.chat', { model: 'from-ref', messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 });

    expect(result).toMatchObject({ id: 'from-ref', state: 'unloaded', sizeBytes: tiny.length, architecture: 'llama', parameters: 143_552 });
    expect(result.download).toMatchObject({ bytes: tiny.length, sha256: tinySha256, verifiedWith: 'x-linked-etag', resumedFrom: 0, requests: 1, resumed: false });
    expect(await modelSha256('from-ref')).toBe(tinySha256);
    expect(answer.model).toBe('from-ref');
    expect((await listed('from-ref'))?.state).toBe('loaded');
  });

  it('reads the revision and folders of an hf: reference', async () => {
    host.hub('acme', 'folders', 'v2.0', 'sub/dir/nested.gguf', { bytes: tiny });

    const result = await download({ source: 'hf:acme/folders/sub/dir/nested.gguf@v2.0' });

    expect(result.id).toBe('nested');
    expect(host.requestsFor('/acme/folders/resolve/v2.0/sub/dir/nested.gguf')).toHaveLength(1);
  });

  it('downloads a huggingface.co blob URL from the configured endpoint, naming the model after the file', async () => {
    host.hub('acme', 'blob-repo', 'main', 'Blobby-Q8_0.gguf', { bytes: tiny });

    const result = await download({ source: 'https://huggingface.co/acme/blob-repo/blob/main/Blobby-Q8_0.gguf?download=true' });

    expect(result.id).toBe('Blobby-Q8_0');
    expect(host.requestsFor('/acme/blob-repo/resolve/main/Blobby-Q8_0.gguf')).toHaveLength(1);
    expect(await modelSha256('Blobby-Q8_0')).toBe(tinySha256);
  });

  it('downloads a plain URL and checks it against the sha256 param', async () => {
    host.plain('/files/plain.gguf', { bytes: tiny });

    const result = await download({ source: `${host.url}/files/plain.gguf`, sha256: tinySha256.toUpperCase() });

    expect(result.id).toBe('plain');
    expect(result.download).toMatchObject({ sha256: tinySha256, verifiedWith: 'sha256-param' });
    expect(await modelSha256('plain')).toBe(tinySha256);
  });

  it('refuses a source that is neither a .gguf URL nor an hf: reference', async () => {
    const error = await busErrorOf(download({ source: 'hf:acme/tiny-GGUF' }));
    const notGguf = await busErrorOf(download({ source: `${host.url}/files/readme.md` }));

    expect(error.code).toBe(ErrorCode.CapabilityInvalidParams);
    expect(error.message).toContain('/source');
    expect(notGguf.message).toContain('not a .gguf file');
  });
});

describe('llm.models.download: progress and resuming', () => {
  it('streams progress chunks that end in done at the total', async () => {
    host.plain('/files/progress.gguf', { bytes: tiny });
    const chunks: DownloadProgress[] = [];

    await download({ source: `${host.url}/files/progress.gguf` }, { onProgress: (chunk) => chunks.push(chunk as DownloadProgress) });

    expect(chunks[0]).toMatchObject({ id: 'progress', state: 'downloading', totalBytes: tiny.length, resumedFrom: 0 });
    expect(chunks.map((chunk) => chunk.state)).toContain('verifying');
    expect(chunks.at(-1)).toMatchObject({ state: 'done', downloadedBytes: tiny.length, totalBytes: tiny.length });
    const bytes = chunks.map((chunk) => chunk.downloadedBytes);
    expect(bytes).toEqual([...bytes].sort((a, b) => a - b));
  });

  it('resumes with a Range request when the server cuts the connection mid-body', async () => {
    const cdn = host.hub('acme', 'flaky', 'main', 'flaky.gguf', { bytes: tiny, cutAfter: 200_000 });

    const result = await download({ source: 'hf:acme/flaky/flaky.gguf' });
    const [first, second] = host.requestsFor(cdn);

    expect(first!.headers.range).toBeUndefined();
    expect(second!.headers.range).toMatch(/^bytes=\d+-$/);
    expect(Number(/\d+/.exec(second!.headers.range!)![0])).toBeGreaterThan(0);
    expect(second!.headers['if-range']).toBeDefined();
    expect(result.download).toMatchObject({ requests: 2, resumed: true, sha256: tinySha256, verifiedWith: 'x-linked-etag' });
    expect(await modelSha256('flaky')).toBe(tinySha256);
  });

  it('starts over cleanly when a Range request is answered with the whole file', async () => {
    const cdn = host.hub('acme', 'no-ranges', 'main', 'no-ranges.gguf', { bytes: tiny, cutAfter: 200_000, ignoreRange: true });

    const result = await download({ source: 'hf:acme/no-ranges/no-ranges.gguf' });

    expect(host.requestsFor(cdn)[1]!.headers.range).toMatch(/^bytes=\d+-$/);
    expect(result.download).toMatchObject({ requests: 2, bytes: tiny.length, sha256: tinySha256 });
    expect(await modelSha256('no-ranges')).toBe(tinySha256);
  });

  it('finishes a partial file that is already complete when the server answers 416', async () => {
    host.plain('/files/complete.gguf', { bytes: tiny });
    const partial = new PartialDownload(llm.modelsDir, 'complete');
    await mkdir(path.dirname(partial.partFile), { recursive: true });
    await writeFile(partial.partFile, tiny);
    await partial.save({ url: `${host.url}/files/complete.gguf`, validator: null, totalBytes: tiny.length, linkedSha256: null });

    const result = await download({ source: `${host.url}/files/complete.gguf`, sha256: tinySha256 });

    expect(host.requestsFor('/files/complete.gguf')[0]!.headers.range).toBe(`bytes=${tiny.length}-`);
    expect(result.download).toMatchObject({ requests: 1, resumedFrom: tiny.length, verifiedWith: 'sha256-param' });
    expect(await modelSha256('complete')).toBe(tinySha256);
  });

  it('keeps the partial file when the call is cancelled, and a later call resumes it', async () => {
    const cdn = host.hub('acme', 'cancel', 'main', 'cancelled.gguf', { bytes: tiny, holdAfter: 100_000 });
    const controller = new AbortController();

    const first = download({ source: 'hf:acme/cancel/cancelled.gguf' }, { signal: controller.signal });
    await eventually(() => llm.state.downloads.get('cancelled')?.downloadedBytes === 100_000, 'the first 100,000 bytes');
    controller.abort();
    const error = await busErrorOf(first);
    await eventually(() => llm.state.downloads.get('cancelled') === undefined, 'the download to stop');
    const kept = (await stat(partFile('cancelled'))).size;
    host.release();
    const result = await download({ source: 'hf:acme/cancel/cancelled.gguf' });

    expect(error.code).toBe(ErrorCode.Cancelled);
    expect(kept).toBe(100_000);
    expect(host.requestsFor(cdn)[1]!.headers.range).toBe('bytes=100000-');
    expect(result.download).toMatchObject({ resumedFrom: 100_000, resumed: true, sha256: tinySha256 });
    expect(await modelSha256('cancelled')).toBe(tinySha256);
    expect(await exists(partFile('cancelled'))).toBe(false);
  });

  it('lists a model as downloading, with its progress, while the transfer runs', async () => {
    host.plain('/files/slow.gguf', { bytes: tiny, holdAfter: 50_000 });

    const running = download({ source: `${host.url}/files/slow.gguf` });
    await eventually(async () => (await listed('slow'))?.downloadedBytes === 50_000, 'the download to show in the list');
    const during = await listed('slow');
    const got = await llm.plugin.call<ModelEntry>('llm.models.get', { id: 'slow' });
    host.release();
    await running;

    expect(during).toMatchObject({ id: 'slow', state: 'downloading', downloadedBytes: 50_000, totalBytes: tiny.length, architecture: null });
    expect(got.state).toBe('downloading');
    expect(await listed('slow')).toMatchObject({ state: 'unloaded', sizeBytes: tiny.length });
    expect((await listed('slow'))?.downloadedBytes).toBeUndefined();
  });

  it('refuses a second download of an id while one runs', async () => {
    host.plain('/files/twice.gguf', { bytes: tiny, holdAfter: 10_000 });

    const running = download({ source: `${host.url}/files/twice.gguf` });
    await eventually(() => llm.state.downloads.get('twice')?.downloadedBytes === 10_000, 'the first download to start');
    const error = await busErrorOf(download({ source: `${host.url}/files/twice.gguf` }));
    host.release();
    await running;

    expect(error.code).toBe(ErrorCode.CapabilityInvalidParams);
    expect(error.data).toMatchObject({ model: 'twice', reason: 'download-in-progress' });
  });

  it('refuses an id that exists unless overwrite is true', async () => {
    host.plain('/files/tiny-llama.gguf', { bytes: tiny });

    const error = await busErrorOf(download({ source: `${host.url}/files/tiny-llama.gguf` }));
    const replaced = await download({ source: `${host.url}/files/tiny-llama.gguf`, overwrite: true });

    expect(error.code).toBe(ErrorCode.CapabilityInvalidParams);
    expect(error.message).toContain('overwrite: true');
    expect(replaced.id).toBe('tiny-llama');
  });
});

describe('llm.models.download: verification', () => {
  const leavesNothing = async (id: string) => {
    expect(await exists(path.join(llm.modelsDir, `${id}.gguf`))).toBe(false);
    expect(await exists(partFile(id))).toBe(false);
    expect(await listed(id)).toBeUndefined();
  };

  it('fails with checksum-mismatch for a wrong sha256 param and keeps nothing', async () => {
    host.plain('/files/wrong-sum.gguf', { bytes: tiny });

    const error = await busErrorOf(download({ source: `${host.url}/files/wrong-sum.gguf`, sha256: '0'.repeat(64) }));

    expect(error.code).toBe(ErrorCode.UpstreamFailed);
    expect(error.data).toMatchObject({ reason: 'checksum-mismatch', expected: '0'.repeat(64), got: tinySha256 });
    await leavesNothing('wrong-sum');
  });

  it("fails with checksum-mismatch when the Hub's x-linked-etag disagrees", async () => {
    host.hub('acme', 'bad-etag', 'main', 'bad-etag.gguf', { bytes: tiny, linkedEtag: 'f'.repeat(64) });

    const error = await busErrorOf(download({ source: 'hf:acme/bad-etag/bad-etag.gguf' }));

    expect(error.data).toMatchObject({ reason: 'checksum-mismatch', expected: 'f'.repeat(64), got: tinySha256 });
    expect(error.message).toContain('x-linked-etag');
    await leavesNothing('bad-etag');
  });

  it("fails with size-mismatch when the file is not the Hub's x-linked-size", async () => {
    host.hub('acme', 'bad-size', 'main', 'bad-size.gguf', { bytes: tiny, linkedSize: tiny.length + 1000 });

    const error = await busErrorOf(download({ source: 'hf:acme/bad-size/bad-size.gguf' }));

    expect(error.data).toMatchObject({ reason: 'size-mismatch', expectedBytes: tiny.length + 1000, gotBytes: tiny.length });
    await leavesNothing('bad-size');
  });

  it('refuses content that is not a GGUF file', async () => {
    host.plain('/files/page.gguf', { bytes: Buffer.from('<!DOCTYPE html><html><body>Sign in</body></html>') });

    const error = await busErrorOf(download({ source: `${host.url}/files/page.gguf` }));

    expect(error.data).toMatchObject({ reason: 'not-gguf' });
    expect(error.message).toContain('<!DOCTYPE');
    await leavesNothing('page');
  });

  it('refuses a GGUF file whose tensor data is cut short', async () => {
    host.plain('/files/short.gguf', { bytes: tiny.subarray(0, 300_000) });

    const error = await busErrorOf(download({ source: `${host.url}/files/short.gguf` }));

    expect(error.data).toMatchObject({ reason: 'not-gguf' });
    expect(error.message).toContain('truncated');
    await leavesNothing('short');
  });
});

describe('llm.models.download: hosts that fail', () => {
  it('answers a missing file with http-status 404 and a hint', async () => {
    const error = await busErrorOf(download({ source: 'hf:acme/tiny-GGUF/missing.gguf' }));

    expect(error.code).toBe(ErrorCode.UpstreamFailed);
    expect(error.data).toMatchObject({ reason: 'http-status', status: 404, upstream: new URL(host.url).host });
    expect(error.message).toContain('check the owner, repository, revision and file path');
  });

  it('answers a gated repository without a token with http-status 401 naming the token setting', async () => {
    host.hub('acme', 'gated', 'main', 'gated.gguf', { bytes: tiny, token: 'secret' });

    const error = await busErrorOf(download({ source: 'hf:acme/gated/gated.gguf' }));

    expect(error.data).toMatchObject({ reason: 'http-status', status: 401 });
    expect(error.message).toContain('huggingFaceTokenEnv');
  });

  it('sends the Hub token to the Hub endpoint and not to the CDN it redirects to', async () => {
    const cdn = await FakeModelHost.start();
    process.env.CDS_TEST_HUB_TOKEN = 'secret';
    const gated = await startLlm({ huggingFaceEndpoint: host.url, huggingFaceTokenEnv: 'CDS_TEST_HUB_TOKEN' });
    try {
      const cdnPath = host.hub('acme', 'gated-cdn', 'main', 'gated-cdn.gguf', { bytes: tiny, token: 'secret', cdn });

      const result = await gated.plugin.call<DownloadResult>('llm.models.download', { source: 'hf:acme/gated-cdn/gated-cdn.gguf' });

      expect(result.download.sha256).toBe(tinySha256);
      expect(host.requestsFor('/acme/gated-cdn/resolve/main/gated-cdn.gguf')[0]!.headers.authorization).toBe('Bearer secret');
      expect(cdn.requestsFor(cdnPath)[0]!.headers.authorization).toBeUndefined();
    } finally {
      delete process.env.CDS_TEST_HUB_TOKEN;
      await gated.close();
      await cdn.close();
    }
  });

  it('fails fast as offline when the host refuses connections', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));

    const error = await busErrorOf(download({ source: `http://127.0.0.1:${port}/models/x.gguf` }));

    expect(error.code).toBe(ErrorCode.UpstreamFailed);
    expect(error.data).toMatchObject({ reason: 'offline', code: 'ECONNREFUSED' });
    expect(error.message).toContain('this machine may be offline');
    expect(error.message).toContain(llm.modelsDir);
  });

  it('fails fast as offline when the Hub endpoint does not resolve', async () => {
    const offline = await startLlm({ huggingFaceEndpoint: 'http://nonexistent.invalid', downloadConnectTimeoutSeconds: 5 });
    try {
      const error = await busErrorOf(offline.plugin.call('llm.models.download', { source: 'hf:acme/tiny-GGUF/tiny.gguf' }));

      expect(error.data).toMatchObject({ reason: 'offline', upstream: 'nonexistent.invalid' });
      expect(error.message).toContain('cannot reach nonexistent.invalid');
      expect(await readdir(offline.modelsDir)).toEqual(expect.not.arrayContaining(['tiny.gguf']));
    } finally {
      await offline.close();
    }
  });
});
