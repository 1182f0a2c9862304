import { GgufValueType } from '../gguf/gguf-format.ts';
import { describeGgufModel, type GgufModelInfo } from '../gguf/gguf-model-info.ts';
import { readGgufHeader } from '../gguf/gguf-reader.ts';
import { invalidParam } from '../llm-errors.ts';
import { modelRefusal } from '../models/model-registry.ts';
import { upstreamFailed } from './download-errors.ts';

/** The first four bytes of every GGUF file. */
export const GGUF_MAGIC_BYTES = Buffer.from('GGUF', 'latin1');

/** True while `head` (the first bytes seen so far) can still be the start of a GGUF file. */
export function mayBeGguf(head: Buffer): boolean {
  const length = Math.min(head.length, GGUF_MAGIC_BYTES.length);
  return head.subarray(0, length).equals(GGUF_MAGIC_BYTES.subarray(0, length));
}

/** UpstreamFailed 'not-gguf' for an answer that does not start like a GGUF file (an HTML page, a Git LFS pointer). */
export function notGgufStart(url: URL, head: Buffer): Error {
  const start = JSON.stringify(head.subarray(0, 16).toString('latin1'));
  return upstreamFailed(url, 'not-gguf', `${url.href} is not a GGUF file: it starts with ${start}, not "GGUF" (an error page or a Git LFS pointer?); nothing was kept`);
}

/**
 * Reads a downloaded file's header and throws when llmserver could not run it: UpstreamFailed
 * 'not-gguf' for a file the GGUF reader refuses, -32007 naming /source for a model over the
 * parameter limit or one shard of a split model (its own count would understate the model). Resolves with the header summary otherwise.
 */
export async function acceptDownloadedModel(file: string, url: URL, signal: AbortSignal): Promise<GgufModelInfo> {
  let header;
  try {
    header = await readGgufHeader(file, { signal, arrayItemLimit: 0 });
  } catch (error) {
    signal.throwIfAborted();
    const reason = error instanceof Error ? error.message.replace(`${file}: `, '') : String(error);
    throw upstreamFailed(url, 'not-gguf', `${url.href} is not a usable GGUF file: ${reason}; nothing was kept`);
  }
  const info = describeGgufModel(header);
  const split = header.metadata.get('split.count');
  const shards = split && split.type !== GgufValueType.Array ? Number(split.value) : 1;
  if (shards > 1) {
    throw invalidParam('llm.models.download', 'source', `is one shard of a model split into ${shards} files; llmserver runs single-file models: merge the shards with llama-gguf-split --merge and copy the result into the models folder`);
  }
  const refusal = modelRefusal(info);
  if (refusal !== undefined) throw invalidParam('llm.models.download', 'source', `names a model llmserver will not run: ${refusal}; nothing was kept`);
  return info;
}
