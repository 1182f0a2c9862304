import type { DownloadPhase } from '../llm-answers.ts';
import { invalidParam } from '../llm-errors.ts';

export type { DownloadPhase, DownloadProgress } from '../llm-answers.ts';

/** A download in progress: what llm.models.list shows of it, and how to stop it. */
export class ActiveDownload {
  readonly id: string;
  /** The URL of the first request. */
  readonly url: string;
  readonly startedAt = Date.now();
  phase: DownloadPhase = 'downloading';
  downloadedBytes = 0;
  totalBytes: number | null = null;
  readonly #controller = new AbortController();
  #settled: Promise<void> = Promise.resolve();

  constructor(id: string, url: string) {
    this.id = id;
    this.url = url;
  }

  /** Aborted by `stop` (llm.models.delete, plugin shutdown); the download also follows its caller's signal. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Stops the transfer with `reason` and resolves once the download has given up (its files are closed). */
  async stop(reason: unknown): Promise<void> {
    this.#controller.abort(reason);
    await this.#settled;
  }

  /** Tracks the work so `stop` can wait for it. */
  track(work: Promise<unknown>): void {
    this.#settled = work.then(() => undefined, () => undefined);
  }
}

/** The downloads running now, at most one per model id. */
export class ModelDownloads {
  readonly #active = new Map<string, ActiveDownload>();

  /**
   * Runs `work` as the download of `id`, listed until it settles. Throws -32007 naming /id while
   * another download of that id runs: two writers of one partial file would corrupt it.
   */
  run<T>(id: string, url: string, work: (download: ActiveDownload) => Promise<T>): Promise<T> {
    const running = this.#active.get(id);
    if (running) {
      const done = running.totalBytes ? ` (${Math.floor((running.downloadedBytes / running.totalBytes) * 100)} % done)` : '';
      throw invalidParam('llm.models.download', 'id', `is being downloaded already${done} from ${running.url}; llm.models.list shows its progress; cancel that call or wait for it`, {
        model: id, reason: 'download-in-progress',
      });
    }
    const download = new ActiveDownload(id, url);
    this.#active.set(id, download);
    const promise = (async () => {
      try {
        return await work(download);
      } finally {
        this.#active.delete(id);
      }
    })();
    download.track(promise);
    return promise;
  }

  /** The running download of `id`. */
  get(id: string): ActiveDownload | undefined {
    return this.#active.get(id);
  }

  /** Every running download. */
  list(): ActiveDownload[] {
    return [...this.#active.values()];
  }

  /** Stops every download with `reason` and waits for them; partial files stay for a later resume. */
  async stopAll(reason: unknown): Promise<void> {
    await Promise.all(this.list().map((download) => download.stop(reason)));
  }
}
