import { createReadStream } from 'node:fs';
import { mkdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Hash } from 'node:crypto';
import { MODEL_EXTENSION } from '../models/model-registry.ts';

/** Folder of partial downloads inside the models folder; its leading dot keeps the registry from reading it. */
export const DOWNLOADS_DIR = '.downloads';

/** What the sidecar remembers about a partial file, so a later call can resume it safely. */
export interface PartialState {
  /** The URL of the first request; a different source starts over. */
  readonly url: string;
  /** Strong ETag or Last-Modified of the answer, sent as If-Range on resume. */
  readonly validator: string | null;
  readonly totalBytes: number | null;
  /** The Hub's x-linked-etag when it is a sha256, kept for a resume whose answer lacks it. */
  readonly linkedSha256: string | null;
}

/** `<modelsDir>/.downloads/<id>.gguf.part` and its JSON sidecar `<id>.gguf.part.json`. */
export class PartialDownload {
  readonly partFile: string;
  readonly stateFile: string;

  constructor(modelsDir: string, id: string) {
    this.partFile = path.join(modelsDir, DOWNLOADS_DIR, `${id}${MODEL_EXTENSION}.part`);
    this.stateFile = `${this.partFile}.json`;
  }

  /**
   * Bytes already downloaded from `url` and the sidecar that describes them. A partial file of
   * another source, or one without a readable sidecar, is deleted and the download starts at 0.
   */
  async resumable(url: string): Promise<{ bytes: number; state: PartialState | undefined }> {
    await mkdir(path.dirname(this.partFile), { recursive: true });
    const state = await readFile(this.stateFile, 'utf8').then((text) => JSON.parse(text) as PartialState, () => undefined);
    const bytes = await this.size();
    if (state?.url === url && bytes > 0) return { bytes, state };
    await this.remove();
    return { bytes: 0, state: undefined };
  }

  /** Current size of the partial file, 0 when there is none. */
  async size(): Promise<number> {
    return (await stat(this.partFile).catch(() => undefined))?.size ?? 0;
  }

  /** Writes the sidecar; written before any body byte, so a part on disk always has one. */
  async save(state: PartialState): Promise<void> {
    await writeFile(this.stateFile, `${JSON.stringify(state)}\n`);
  }

  /** Empties the partial file (the server sent the whole file again). */
  async restart(): Promise<void> {
    await truncate(this.partFile, 0).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }

  /** Feeds the first `bytes` of the partial file to `hash`, so the digest of a resumed download covers the whole file. */
  async hashPrefix(hash: Hash, bytes: number, signal: AbortSignal): Promise<void> {
    if (bytes === 0) return;
    for await (const chunk of createReadStream(this.partFile, { start: 0, end: bytes - 1, signal })) hash.update(chunk as Buffer);
  }

  /** Deletes the partial file and its sidecar. */
  async remove(): Promise<void> {
    await Promise.all([rm(this.partFile, { force: true }), rm(this.stateFile, { force: true })]);
  }

  /** Deletes only the sidecar, once the partial file has become a model. */
  async forget(): Promise<void> {
    await rm(this.stateFile, { force: true });
  }
}
