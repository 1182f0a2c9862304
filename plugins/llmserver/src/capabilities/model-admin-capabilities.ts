import { lstat, rm } from 'node:fs/promises';
import path from 'node:path';
import { BusError, ErrorCode, defineCapability, type CapabilitySpec } from '@cyberstudio/sdk';
import { downloadModel, modelExists, type DownloadedModel } from '../download/model-downloader.ts';
import { resolveModelSource } from '../download/model-source.ts';
import { validateModelFile, type ModelValidation } from '../download/model-validation.ts';
import { PartialDownload } from '../download/partial-download.ts';
import { assertModelAdmin, remoteModelRefused, invalidParam, unknownModel } from '../llm-errors.ts';
import type { LlmState, ModelEntry } from '../llm-state.ts';
import { MODEL_EXTENSION } from '../models/model-registry.ts';

/** What a downloaded model id may look like: a plain file name, so it can never leave the models folder. */
export const MODEL_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$';

/** Result of llm.models.download: the model's list entry and how the download went. */
export type DownloadResult = ModelEntry & { download: Omit<DownloadedModel, 'info' | 'file'> & { url: string; resumed: boolean } };

/** Result of llm.models.delete. */
export interface DeleteResult {
  id: string;
  deleted: true;
  /** Bytes of the model file and of any partial download removed. */
  freedBytes: number;
}

/** Ids of models already in the folder: any file name without a path separator or a leading dot. */
const existingId = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^./\\\\][^/\\\\]*$' } as const;
const MODEL_ID = new RegExp(MODEL_ID_PATTERN);

/** `llm.models.download`, `llm.models.delete` and `llm.models.validate`. */
export function modelAdminCapabilities(state: LlmState): Record<string, CapabilitySpec> {
  return {
    'llm.models.download': defineCapability<{ source: string; id?: string; sha256?: string; overwrite?: boolean }, DownloadResult>({
      description: 'Admins: downloads a GGUF model (hf:<owner>/<repo>/<file>.gguf[@rev], a Hugging Face URL, or any http(s) URL of a .gguf file) into the models folder, resuming a partial download, verifying size, sha256 and header. Streams { id, state, downloadedBytes, totalBytes, bytesPerSecond, resumedFrom }.',
      stream: true,
      params: {
        type: 'object',
        additionalProperties: false,
        required: ['source'],
        properties: {
          source: { type: 'string', minLength: 1, maxLength: 4096 },
          id: { type: 'string', pattern: MODEL_ID_PATTERN },
          sha256: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' },
          overwrite: { type: 'boolean' },
        },
      },
      result: { type: 'object', required: ['id', 'state', 'download'] },
      async handler(params, ctx) {
        assertModelAdmin(ctx.caller, 'llm.models.download');
        const { config } = state;
        const source = resolveModelSource(params.source, config.huggingFaceEndpoint);
        const id = params.id ?? source.fileName.slice(0, -MODEL_EXTENSION.length);
        if (!MODEL_ID.test(id)) throw invalidParam('llm.models.download', 'source', `ends in '${source.fileName}', which is no model id (${MODEL_ID_PATTERN}); pass an id`);
        const overwrite = params.overwrite ?? false;
        if (!overwrite && (await state.registry.find(id))) throw modelExists(id, config.modelsDir, '');
        const token = process.env[config.huggingFaceTokenEnv];
        const settings = {
          modelsDir: config.modelsDir,
          connectTimeoutMs: config.downloadConnectTimeoutSeconds * 1000,
          stallTimeoutMs: config.downloadStallTimeoutSeconds * 1000,
          hubToken: token ? { origin: new URL(config.huggingFaceEndpoint).origin, token } : undefined,
        };
        const job = { id, source, sha256: params.sha256?.toLowerCase(), overwrite };
        const downloaded = await state.downloads.run(id, source.url.href, (download) =>
          downloadModel(job, settings, download, { signal: ctx.signal, onProgress: (progress) => ctx.progress(progress) }),
        );
        // The old file's model (overwrite) must not keep serving under the id.
        if (overwrite) await state.pool.unload(id);
        await state.registry.scan();
        const record = state.registry.get(id);
        if (!record) throw new BusError(ErrorCode.InternalError, `the downloaded model '${id}' vanished from ${config.modelsDir} before it was listed`, { model: id });
        const { info, file, ...facts } = downloaded;
        ctx.log.info({ model: id, url: source.url.href, bytes: facts.bytes, sha256: facts.sha256, resumedFrom: facts.resumedFrom, parameters: info.parameterCount }, 'model downloaded');
        return { ...state.entryOf(record), download: { url: source.url.href, ...facts, resumed: facts.resumedFrom > 0 || facts.requests > 1 } };
      },
    }),

    'llm.models.delete': defineCapability<{ id: string }, DeleteResult>({
      description: 'Admins: deletes a model file (unloading the model when it is idle; refused with Overloaded while it is busy) and stops and removes a download of that id.',
      params: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: existingId } },
      result: { type: 'object', required: ['id', 'deleted', 'freedBytes'], properties: { id: { type: 'string' }, deleted: { const: true }, freedBytes: { type: 'integer' } } },
      async handler({ id }, ctx) {
        assertModelAdmin(ctx.caller, 'llm.models.delete');
        if (state.remoteModel(id)) throw remoteModelRefused('llm.models.delete', id);
        const directory = state.registry.directory;
        const file = modelFile('llm.models.delete', directory, id);
        const record = await state.registry.find(id);
        const download = state.downloads.get(id);
        const partial = new PartialDownload(directory, id);
        if (!record && !download && (await partial.size()) === 0) throw unknownModel('llm.models.delete', 'id', id, directory);
        if (record) await unloadIdle(state, id);
        await download?.stop(new BusError(ErrorCode.Cancelled, `the download of '${id}' was cancelled by llm.models.delete`, { reason: 'model-deleted', model: id }));
        let freedBytes = await partial.size();
        await partial.remove();
        if (record) {
          const stats = await lstat(file).catch(() => undefined);
          freedBytes += stats?.isFile() ? stats.size : 0;
          // rm of a symlink removes the link, never what it points at.
          await rm(file, { force: true });
          await state.registry.scan();
        }
        return { id, deleted: true, freedBytes };
      },
    }),

    'llm.models.validate': defineCapability<{ id: string; load?: boolean; checksum?: boolean }, ModelValidation>({
      description: 'Admins: checks a model file afresh: its GGUF header, that the file holds all its tensor data, the parameter limit; with checksum its sha256 (streams { id, state: "hashing", hashedBytes, totalBytes }), with load a test load in llama.cpp. An invalid file is valid: false with its problems.',
      stream: true,
      params: {
        type: 'object',
        additionalProperties: false,
        required: ['id'],
        properties: { id: existingId, load: { type: 'boolean' }, checksum: { type: 'boolean' } },
      },
      result: { type: 'object', required: ['id', 'valid', 'problems', 'info'] },
      async handler({ id, load = false, checksum = false }, ctx) {
        assertModelAdmin(ctx.caller, 'llm.models.validate');
        if (state.remoteModel(id)) throw remoteModelRefused('llm.models.validate', id);
        const directory = state.registry.directory;
        const file = modelFile('llm.models.validate', directory, id);
        const stats = await lstat(file).catch(() => undefined);
        if (!stats) throw unknownModel('llm.models.validate', 'id', id, directory);
        return validateModelFile(state, id, file, { load, checksum, signal: ctx.signal, onProgress: (progress) => ctx.progress(progress) });
      },
    }),
  };
}

/** `<directory>/<id>.gguf`, checked to be directly in the models folder. */
function modelFile(capability: string, directory: string, id: string): string {
  const file = path.resolve(directory, `${id}${MODEL_EXTENSION}`);
  if (path.dirname(file) !== path.resolve(directory)) throw invalidParam(capability, 'id', 'must name a file directly in the models folder');
  return file;
}

/** Unloads the model when nothing runs or waits on it; Overloaded (-32006) while it is busy or being loaded. */
async function unloadIdle(state: LlmState, id: string): Promise<void> {
  const { pool } = state;
  const loaded = pool.loaded().find((model) => model.id === id);
  const loading = pool.stateOf(id).state === 'loading';
  if (loading || (loaded && !loaded.slots.idle)) {
    const what = loading ? 'is being loaded' : `is busy: ${loaded!.slots.active} calls running, ${loaded!.slots.queued} waiting`;
    throw new BusError(ErrorCode.Overloaded, `model '${id}' ${what}; it was not deleted: try again when it is idle, or unload it first (llm.models.unload ends its calls)`, {
      plugin: 'llmserver', model: id, reason: 'model-busy', active: loaded?.slots.active ?? 0, queued: loaded?.slots.queued ?? 0,
    });
  }
  if (loaded) await pool.unload(id);
}
