import type { ActiveDownload, DownloadPhase, DownloadProgress } from './downloads.ts';

/** Shortest time between two progress chunks, unless 1 % of the file arrived meanwhile. */
export const PROGRESS_INTERVAL_MS = 250;

/**
 * Counts a download's bytes into its ActiveDownload (what llm.models.list shows) on every chunk,
 * and sends progress chunks at most every PROGRESS_INTERVAL_MS or 1 % of the file, plus every
 * change of phase, so a fast download does not flood the caller.
 */
export class ProgressMeter {
  readonly #download: ActiveDownload;
  readonly #resumedFrom: number;
  readonly #emit: (progress: DownloadProgress) => void;
  #startedAt: number | undefined;
  #receivedThisCall = 0;
  #sentAt = 0;
  #sentBytes = 0;

  constructor(download: ActiveDownload, resumedFrom: number, emit: (progress: DownloadProgress) => void) {
    this.#download = download;
    this.#resumedFrom = resumedFrom;
    this.#emit = emit;
  }

  /** A response began: the partial file holds `downloadedBytes` of `totalBytes`. Always sends a chunk. */
  begin(downloadedBytes: number, totalBytes: number | null): void {
    this.#startedAt ??= performance.now();
    this.#download.downloadedBytes = downloadedBytes;
    this.#download.totalBytes = totalBytes;
    this.#send();
  }

  /** `bytes` more were written; sends a chunk when enough time or bytes passed since the last. */
  add(bytes: number): void {
    this.#download.downloadedBytes += bytes;
    this.#receivedThisCall += bytes;
    const total = this.#download.totalBytes;
    const step = total ? total / 100 : Number.POSITIVE_INFINITY;
    if (performance.now() - this.#sentAt >= PROGRESS_INTERVAL_MS || this.#download.downloadedBytes - this.#sentBytes >= step) this.#send();
  }

  /** Moves to `phase` and sends a chunk. */
  enter(phase: DownloadPhase): void {
    this.#download.phase = phase;
    this.#send();
  }

  #send(): void {
    const now = performance.now();
    const seconds = this.#startedAt === undefined ? 0 : (now - this.#startedAt) / 1000;
    this.#sentAt = now;
    this.#sentBytes = this.#download.downloadedBytes;
    this.#emit({
      id: this.#download.id,
      state: this.#download.phase,
      downloadedBytes: this.#download.downloadedBytes,
      totalBytes: this.#download.totalBytes,
      bytesPerSecond: seconds > 0 ? Math.round(this.#receivedThisCall / seconds) : 0,
      resumedFrom: this.#resumedFrom,
    });
  }
}
