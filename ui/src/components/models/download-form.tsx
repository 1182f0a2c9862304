import { createSignal, Show } from 'solid-js';
import { BusError, ErrorCode } from '@cyberstudio/sdk';
import type { KernelClient } from '../../kernel-client.ts';
import type { DownloadProgress, DownloadResult } from '../../models-types.ts';
import { ErrorMessage } from '../error-message.tsx';
import { DownloadProgressBar } from './download-progress.tsx';
import { formatBytes } from './model-format.ts';

const SOURCE = /^(hf:\S+|https?:\/\/\S+)$/i;
const SHA256 = /^[0-9a-f]{64}$/i;
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * An admin's download (`llm.models.download`) from an `hf:` reference or a URL, with an optional
 * model id and sha256. It shows the streamed progress, can be cancelled, and reports the plain
 * error. Leaving the page does not cancel it: the models list shows a running download anyway.
 */
export function DownloadForm(props: { client: KernelClient; onStarted: () => void; onFinished: () => void }) {
  const [progress, setProgress] = createSignal<DownloadProgress>();
  const [controller, setController] = createSignal<AbortController>();
  const [invalid, setInvalid] = createSignal<string>();
  const [error, setError] = createSignal<unknown>();
  const [done, setDone] = createSignal<DownloadResult>();
  const [cancelled, setCancelled] = createSignal(false);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (controller()) return;
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const source = String(data.get('source') ?? '').trim();
    const id = String(data.get('id') ?? '').trim();
    const sha256 = String(data.get('sha256') ?? '').trim();
    setDone(undefined);
    setCancelled(false);
    setError(undefined);
    setProgress(undefined);
    setInvalid(problemOf(source, id, sha256));
    if (invalid()) return;
    const abort = new AbortController();
    setController(abort);
    let started = false;
    try {
      const result = await props.client.call<DownloadResult>(
        'llm.models.download',
        { source, ...(id === '' ? {} : { id }), ...(sha256 === '' ? {} : { sha256 }) },
        {
          signal: abort.signal,
          onProgress: (chunk) => {
            setProgress(chunk as DownloadProgress);
            if (!started) props.onStarted();
            started = true;
          },
        },
      );
      setDone(result);
      form.reset();
    } catch (failure) {
      if (failure instanceof BusError && failure.code === ErrorCode.Cancelled && abort.signal.aborted) setCancelled(true);
      else setError(failure);
    } finally {
      setController(undefined);
      props.onFinished();
    }
  };

  return (
    <form class="card form download-form" aria-labelledby="download-title" onSubmit={submit} noValidate>
      <h2 id="download-title">Download a model</h2>
      <p class="muted">
        A GGUF file from Hugging Face (<code>hf:owner/repo/file.gguf</code>, optionally <code>@revision</code>) or any http(s) URL ending in{' '}
        <code>.gguf</code>. An interrupted download resumes when you start it again.
      </p>
      <div class="download-grid">
        <label class="download-source">
          <span>Source</span>
          <input name="source" required autocomplete="off" placeholder="hf:owner/repo/model-Q4_K_M.gguf" disabled={controller() !== undefined} />
        </label>
        <label>
          <span>Model id (optional)</span>
          <input name="id" autocomplete="off" placeholder="the file name" disabled={controller() !== undefined} />
        </label>
        <label>
          <span>SHA-256 (optional)</span>
          <input name="sha256" autocomplete="off" spellcheck={false} placeholder="64 hex characters" disabled={controller() !== undefined} />
        </label>
      </div>
      <div class="form-actions">
        {/* Download stays where it is (disabled) while it runs: a Cancel in its place would take the second click of a double click. */}
        <button type="submit" class="button primary" disabled={controller() !== undefined}>
          Download
        </button>
        <Show when={controller()}>
          {(running) => (
            <button type="button" class="button" onClick={() => running().abort()}>
              Cancel download
            </button>
          )}
        </Show>
        <Show when={controller() && !progress()}>
          <span class="muted" role="status">Connecting…</span>
        </Show>
        <Show when={done()}>
          {(result) => (
            <span class="success" role="status">
              Downloaded {result().id} ({formatBytes(result().sizeBytes)}).
            </span>
          )}
        </Show>
        <Show when={cancelled()}>
          <span class="muted" role="status">
            Download cancelled. The partial file is kept: start the same download again to resume it.
          </span>
        </Show>
      </div>
      <Show when={controller() && progress()}>{(current) => <DownloadProgressBar progress={current()} />}</Show>
      <ErrorMessage error={invalid()} />
      <ErrorMessage error={error()} prefix="Download failed:" />
    </form>
  );
}

/** Why the form's values cannot be sent, in words; undefined when they can (llmserver checks them again). */
function problemOf(source: string, id: string, sha256: string): string | undefined {
  if (!SOURCE.test(source)) return 'The source must be an hf: reference (hf:owner/repo/file.gguf) or an http(s) URL of a .gguf file.';
  if (id !== '' && !MODEL_ID.test(id)) return 'The model id may hold letters, digits, dot, dash and underscore (up to 128), starting with a letter or digit.';
  if (sha256 !== '' && !SHA256.test(sha256)) return 'The SHA-256 must be 64 hexadecimal characters.';
  return undefined;
}
