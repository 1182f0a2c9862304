import { createHash, type Hash } from 'node:crypto';
import { link, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { GgufModelInfo } from '../gguf/gguf-model-info.ts';
import { invalidParam } from '../llm-errors.ts';
import { MODEL_EXTENSION } from '../models/model-registry.ts';
import { STALLED, interrupted, upstreamFailed } from './download-errors.ts';
import { ProgressMeter } from './download-progress.ts';
import { integerHeader, openDownload, parseContentRange, type DownloadResponse } from './download-request.ts';
import type { ActiveDownload, DownloadProgress } from './downloads.ts';
import { acceptDownloadedModel, mayBeGguf, notGgufStart } from './model-acceptance.ts';
import type { ModelSource } from './model-source.ts';
import { PartialDownload, type PartialState } from './partial-download.ts';

/** A broken connection is resumed this many times within one call, as long as each attempt brought bytes. */
export const AUTOMATIC_RESUMES = 3;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** What to download and where it goes. */
export interface DownloadJob {
  readonly id: string;
  readonly source: ModelSource;
  /** Expected sha256, lowercase hex; wins over the Hub's x-linked-etag. */
  readonly sha256: string | undefined;
  /** Replace `<id>.gguf` when it exists; otherwise such a file ends the download with -32007. */
  readonly overwrite: boolean;
}

/** The config a download runs with. */
export interface DownloadSettings {
  readonly modelsDir: string;
  readonly connectTimeoutMs: number;
  readonly stallTimeoutMs: number;
  /** Bearer token for the Hub endpoint's origin (never sent elsewhere). */
  readonly hubToken: { readonly origin: string; readonly token: string } | undefined;
}

/** A model file downloaded, verified and moved into the models folder. */
export interface DownloadedModel {
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
  /** Which expected checksum the file matched, if any was known. */
  readonly verifiedWith: 'sha256-param' | 'x-linked-etag' | null;
  /** Bytes a partial file held when the call started. */
  readonly resumedFrom: number;
  /** HTTP requests made (redirects not counted): more than 1 after a resume or a restart. */
  readonly requests: number;
  readonly info: GgufModelInfo;
}

/**
 * Downloads `job` into `<modelsDir>/.downloads/<id>.gguf.part`, resuming a partial file of the
 * same source, verifies size, sha256 and the GGUF header, and renames it to `<id>.gguf`. A
 * cancelled or broken transfer keeps the partial file; a file that fails verification is deleted.
 */
export async function downloadModel(
  job: DownloadJob, settings: DownloadSettings, download: ActiveDownload, options: { signal: AbortSignal; onProgress: (progress: DownloadProgress) => void },
): Promise<DownloadedModel> {
  const signal = AbortSignal.any([options.signal, download.signal]);
  const partial = new PartialDownload(settings.modelsDir, job.id);
  const { bytes: resumedFrom, state } = await partial.resumable(job.source.url.href);
  const transfer = new Transfer(job, settings, partial, new ProgressMeter(download, resumedFrom, options.onProgress), signal, resumedFrom, state);
  return transfer.run();
}

/** One call's transfer: the request loop, the body, the checks and the rename. */
class Transfer {
  readonly #job: DownloadJob;
  readonly #settings: DownloadSettings;
  readonly #partial: PartialDownload;
  readonly #meter: ProgressMeter;
  readonly #signal: AbortSignal;
  readonly #resumedFrom: number;
  #saved: PartialState | undefined;
  #offset: number;
  #hash: Hash = createHash('sha256');
  #requests = 0;
  #resumes = 0;

  constructor(job: DownloadJob, settings: DownloadSettings, partial: PartialDownload, meter: ProgressMeter, signal: AbortSignal, offset: number, saved: PartialState | undefined) {
    this.#job = job;
    this.#settings = settings;
    this.#partial = partial;
    this.#meter = meter;
    this.#signal = signal;
    this.#resumedFrom = offset;
    this.#offset = offset;
    this.#saved = saved;
  }

  async run(): Promise<DownloadedModel> {
    while (!(await this.#attempt()));
    this.#meter.enter('verifying');
    const { sha256, verifiedWith, bytes } = await this.#verify();
    const info = await acceptDownloadedModel(this.#partial.partFile, this.#job.source.url, this.#signal).catch(async (error: unknown) => {
      if (!this.#signal.aborted) await this.#partial.remove();
      throw error;
    });
    const file = await this.#install();
    this.#meter.enter('done');
    return { file, bytes, sha256, verifiedWith, resumedFrom: this.#resumedFrom, requests: this.#requests, info };
  }

  /** One request; resolves true once the partial file is complete, false to send another request. */
  async #attempt(): Promise<boolean> {
    this.#requests++;
    const { url, huggingFace } = this.#job.source;
    const range: Record<string, string> = this.#offset === 0 ? {} : { range: `bytes=${this.#offset}-`, ...(this.#saved?.validator ? { 'if-range': this.#saved.validator } : {}) };
    const { hubToken, connectTimeoutMs, stallTimeoutMs, modelsDir } = this.#settings;
    const answer = await openDownload(url, {
      headers: range, connectTimeoutMs, stallTimeoutMs, modelsDir, huggingFace, signal: this.#signal,
      authorization: huggingFace && hubToken ? { origin: hubToken.origin, value: `Bearer ${hubToken.token}` } : undefined,
    });
    const { response } = answer;
    try {
      return await this.#receive(answer);
    } finally {
      response.destroy();
    }
  }

  async #receive(answer: DownloadResponse): Promise<boolean> {
    const { response } = answer;
    const contentRange = parseContentRange(response.headers['content-range']);
    const linkedSha256 = answer.linkedEtag !== undefined && SHA256_HEX.test(answer.linkedEtag.toLowerCase()) ? answer.linkedEtag.toLowerCase() : this.#saved?.linkedSha256 ?? null;
    if (response.statusCode === 416) {
      // Asked for the bytes after a complete part: nothing is missing.
      if (this.#offset > 0 && contentRange?.total === this.#offset) return this.#begin(answer, this.#offset, linkedSha256).then(() => true);
      return this.#startOver();
    }
    if (response.statusCode === 206 && contentRange?.start !== this.#offset) return this.#startOver();
    if (response.statusCode === 200 && this.#offset > 0) {
      // The server ignored the range, or If-Range said the file changed: the whole file comes again.
      await this.#partial.restart();
      this.#offset = 0;
    }
    const length = integerHeader(response.headers['content-length']);
    const total = answer.linkedSize ?? contentRange?.total ?? (length === undefined ? null : this.#offset + length);
    if (this.#offset > 0 && this.#saved?.totalBytes != null && total !== null && total !== this.#saved.totalBytes) return this.#startOver();
    await this.#begin(answer, total, linkedSha256);
    return this.#readBody(answer);
  }

  /** Saves the sidecar and hashes the bytes already on disk, so the digest covers the whole file. */
  async #begin(answer: DownloadResponse, total: number | null, linkedSha256: string | null): Promise<void> {
    const { etag, 'last-modified': lastModified } = answer.response.headers;
    const validator = etag && !etag.startsWith('W/') ? etag : lastModified ?? this.#saved?.validator ?? null;
    this.#saved = { url: this.#job.source.url.href, validator, totalBytes: total, linkedSha256 };
    await this.#partial.save(this.#saved);
    this.#hash = createHash('sha256');
    answer.watchStall(false);
    await this.#partial.hashPrefix(this.#hash, this.#offset, this.#signal);
    answer.watchStall(true);
    this.#meter.begin(this.#offset, total);
  }

  /** Appends the body to the partial file; a broken connection is resumed while attempts bring bytes. */
  async #readBody({ response, url }: DownloadResponse): Promise<boolean> {
    const stop = () => response.destroy(this.#signal.reason);
    this.#signal.addEventListener('abort', stop, { once: true });
    const handle = await open(this.#partial.partFile, 'a');
    const startedAt = this.#offset;
    let head = Buffer.alloc(0);
    try {
      for await (const chunk of response as AsyncIterable<Buffer>) {
        if (startedAt === 0 && head.length < 4) {
          head = Buffer.concat([head, chunk]);
          if (!mayBeGguf(head)) throw notGgufStart(url, head);
        }
        this.#hash.update(chunk);
        await handle.write(chunk);
        this.#offset += chunk.length;
        this.#meter.add(chunk.length);
      }
      return true;
    } catch (error) {
      this.#signal.throwIfAborted();
      if ((error as { data?: { reason?: string } }).data?.reason === 'not-gguf') {
        await handle.close();
        await this.#partial.remove();
        throw error;
      }
      const brokeAfterProgress = this.#offset > startedAt && this.#resumes < AUTOMATIC_RESUMES;
      if (brokeAfterProgress) this.#resumes++;
      else if ((error as NodeJS.ErrnoException).code === STALLED) throw upstreamFailed(url, 'timeout', `${(error as Error).message}; call llm.models.download again to resume`);
      else throw interrupted(url, error, this.#offset, this.#saved?.totalBytes ?? null);
      return false;
    } finally {
      this.#signal.removeEventListener('abort', stop);
      await handle.close().catch(() => undefined);
    }
  }

  async #startOver(): Promise<false> {
    if (this.#requests > AUTOMATIC_RESUMES + 2) throw upstreamFailed(this.#job.source.url, 'interrupted', `${this.#job.source.url.host} kept refusing to resume the partial file; it was deleted, call llm.models.download again`);
    await this.#partial.remove();
    this.#offset = 0;
    this.#saved = undefined;
    return false;
  }

  /** Size and sha256 against what the server and the caller promised; a mismatch deletes the file. */
  async #verify(): Promise<{ sha256: string; verifiedWith: DownloadedModel['verifiedWith']; bytes: number }> {
    const { url } = this.#job.source;
    const bytes = await this.#partial.size();
    const total = this.#saved?.totalBytes ?? null;
    if (total !== null && bytes !== total) {
      await this.#partial.remove();
      throw upstreamFailed(url, 'size-mismatch', `the download from ${url.host} has ${bytes} bytes, expected ${total}; it was deleted`, { expectedBytes: total, gotBytes: bytes });
    }
    const sha256 = this.#hash.digest('hex');
    const expected = this.#job.sha256 ?? this.#saved?.linkedSha256 ?? undefined;
    if (expected !== undefined && expected !== sha256) {
      const from = this.#job.sha256 ? 'the sha256 param' : "the Hub's x-linked-etag";
      await this.#partial.remove();
      throw upstreamFailed(url, 'checksum-mismatch', `the download from ${url.host} has sha256 ${sha256}, expected ${expected} (${from}); it was deleted`, { expected, got: sha256 });
    }
    return { sha256, bytes, verifiedWith: expected === undefined ? null : this.#job.sha256 ? 'sha256-param' : 'x-linked-etag' };
  }

  /** Moves the verified part to `<id>.gguf`: atomically replacing an old file, or never replacing one unless asked. */
  async #install(): Promise<string> {
    const target = path.join(this.#settings.modelsDir, `${this.#job.id}${MODEL_EXTENSION}`);
    const { partFile } = this.#partial;
    if (this.#job.overwrite) {
      await rename(partFile, target);
    } else {
      try {
        await link(partFile, target);
        await rm(partFile);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw modelExists(this.#job.id, this.#settings.modelsDir, ' (the verified download is kept: calling again with overwrite: true uses it)');
        // A file system without hard links: fall back to a rename after checking.
        if (await stat(target).then(() => true, () => false)) throw modelExists(this.#job.id, this.#settings.modelsDir, '');
        await rename(partFile, target);
      }
    }
    await this.#partial.forget();
    return target;
  }
}

/** -32007 naming /id: `<id>.gguf` exists and `overwrite` was not asked for. */
export function modelExists(id: string, modelsDir: string, note: string): Error {
  return invalidParam('llm.models.download', 'id', `names the model '${id}', which exists already in ${modelsDir}; pass overwrite: true to replace it${note}`, { model: id });
}
