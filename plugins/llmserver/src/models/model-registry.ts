import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { readGgufModelInfo, type GgufModelInfo } from '../gguf/gguf-model-info.ts';

/** The largest model this server runs: the "3B" class (Llama 3.2 3B has 3.21 billion parameters) fits, 4B models do not. */
export const MAX_MODEL_PARAMETERS = 3_500_000_000;

/** The file extension of a model; the model id is the file name without it. */
export const MODEL_EXTENSION = '.gguf';

/** One `.gguf` file of the models folder as last read: its header summary, or why it cannot be used. */
export interface ModelRecord {
  readonly id: string;
  readonly file: string;
  readonly sizeBytes: number;
  /** Undefined when the header could not be read; `error` says why. */
  readonly info: GgufModelInfo | undefined;
  /** Why the model cannot be loaded (an invalid file, too many parameters); it is then listed as failed. */
  readonly error: string | undefined;
}

/** Why a model with this header is refused, or undefined when it may be loaded. */
export function modelRefusal(info: Pick<GgufModelInfo, 'parameterCount'>): string | undefined {
  if (info.parameterCount <= MAX_MODEL_PARAMETERS) return undefined;
  const billions = (count: number) => `${(count / 1e9).toFixed(2)} billion`;
  return `the model has ${billions(info.parameterCount)} parameters, over the limit of ${billions(MAX_MODEL_PARAMETERS)} this CPU-only server runs`;
}

interface CachedRecord {
  readonly mtimeMs: number;
  readonly size: number;
  readonly record: ModelRecord;
}

/**
 * The models folder: every `*.gguf` file in it (not in subfolders) is a model. A scan stats each
 * file and reads a header only when the file is new or its mtime or size changed, so listing is cheap.
 */
export class ModelRegistry {
  readonly directory: string;
  #cache = new Map<string, CachedRecord>();
  #records = new Map<string, ModelRecord>();

  constructor(directory: string) {
    this.directory = directory;
  }

  /** Reads the folder again; resolves with every model sorted by id. A missing folder holds no models. */
  async scan(options: { signal?: AbortSignal } = {}): Promise<ModelRecord[]> {
    const names = await readdir(this.directory).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    const records: ModelRecord[] = [];
    const seen = new Set<string>();
    for (const name of names.filter((entry) => entry.endsWith(MODEL_EXTENSION) && !entry.startsWith('.')).sort()) {
      const file = path.join(this.directory, name);
      const stats = await stat(file).catch(() => undefined);
      if (!stats?.isFile()) continue;
      seen.add(file);
      const cached = this.#cache.get(file);
      if (cached && cached.mtimeMs === stats.mtimeMs && cached.size === stats.size) {
        records.push(cached.record);
        continue;
      }
      const record = await readRecord(name.slice(0, -MODEL_EXTENSION.length), file, stats.size, options.signal);
      this.#cache.set(file, { mtimeMs: stats.mtimeMs, size: stats.size, record });
      records.push(record);
    }
    for (const file of this.#cache.keys()) if (!seen.has(file)) this.#cache.delete(file);
    this.#records = new Map(records.map((record) => [record.id, record]));
    return records;
  }

  /** The model of that id as of the last scan. */
  get(id: string): ModelRecord | undefined {
    return this.#records.get(id);
  }

  /** The model of that id, rescanning first when the last scan did not see it (a file copied in since). */
  async find(id: string): Promise<ModelRecord | undefined> {
    return this.#records.get(id) ?? (await this.scan(), this.#records.get(id));
  }

  /** Every model as of the last scan, sorted by id. */
  records(): ModelRecord[] {
    return [...this.#records.values()];
  }
}

async function readRecord(id: string, file: string, sizeBytes: number, signal: AbortSignal | undefined): Promise<ModelRecord> {
  try {
    const info = await readGgufModelInfo(file, { signal });
    return { id, file, sizeBytes, info, error: modelRefusal(info) };
  } catch (error) {
    signal?.throwIfAborted();
    return { id, file, sizeBytes, info: undefined, error: error instanceof Error ? error.message : String(error) };
  }
}
