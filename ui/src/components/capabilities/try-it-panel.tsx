import { BusError, ErrorCode } from '@cyberstudio/sdk';
import { createSignal, For, Match, onCleanup, Show, Switch } from 'solid-js';
import type { CapabilityInfo } from '../../capability-types.ts';
import type { KernelClient } from '../../kernel-client.ts';
import { JsonEditor } from '../editor/json-editor.tsx';
import { CallError } from './call-error.tsx';
import { exampleParams } from './example-params.ts';

/** Where one try-it call stands. */
type Run =
  | { status: 'idle' }
  | { status: 'running'; startedAt: number }
  | { status: 'done'; result: unknown; ms: number }
  | { status: 'failed'; error: unknown; ms: number }
  | { status: 'cancelled'; ms: number };

/** Progress chunks kept on screen; a long stream shows its newest ones. */
const MAX_CHUNKS = 500;

/** `35 ms`, `1.24 s`, `2 min 5 s`: a call's duration. */
function formatElapsed(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** The editor's text as call params, or why it cannot be sent. */
function parseParams(text: string): { params: Record<string, unknown> } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problem: `Run needs valid JSON: ${(error as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: 'Run needs a JSON object: params are named, like {"text": "hi"}.' };
  return { params: value as Record<string, unknown> };
}

/**
 * Calls one capability with params typed in a JSON editor: Run, Cancel while it runs (the
 * client's signal sends `$/cancelRequest`), each `$/progress` chunk as it arrives, then the
 * result or the error, with the time taken.
 */
export function TryItPanel(props: { client: KernelClient; capability: CapabilityInfo }) {
  const name = () => props.capability.name;
  const [text, setText] = createSignal(exampleParams(props.capability.params));
  const [run, setRun] = createSignal<Run>({ status: 'idle' });
  const [chunks, setChunks] = createSignal<unknown[]>([]);
  const [chunkCount, setChunkCount] = createSignal(0);
  const [now, setNow] = createSignal(Date.now());
  const parsed = () => parseParams(text());
  let controller: AbortController | undefined;
  let ticker: ReturnType<typeof setInterval> | undefined;
  onCleanup(() => {
    clearInterval(ticker);
    controller?.abort();
  });

  const start = async () => {
    const current = parsed();
    if (!('params' in current) || running()) return;
    const call = new AbortController();
    controller = call;
    const startedAt = performance.now();
    setChunks([]);
    setChunkCount(0);
    setRun({ status: 'running', startedAt });
    setNow(performance.now());
    ticker = setInterval(() => setNow(performance.now()), 100);
    const onProgress = (chunk: unknown) => {
      setChunkCount((count) => count + 1);
      setChunks((list) => (list.length >= MAX_CHUNKS ? [...list.slice(1), chunk] : [...list, chunk]));
    };
    try {
      const result = await props.client.call<unknown>(name(), current.params, { signal: call.signal, onProgress });
      setRun({ status: 'done', result, ms: performance.now() - startedAt });
    } catch (error) {
      const ms = performance.now() - startedAt;
      const cancelled = call.signal.aborted && error instanceof BusError && error.code === ErrorCode.Cancelled;
      setRun(cancelled ? { status: 'cancelled', ms } : { status: 'failed', error, ms });
    } finally {
      clearInterval(ticker);
      if (controller === call) controller = undefined;
    }
  };

  const running = () => run().status === 'running';
  const problem = () => ('problem' in parsed() ? (parsed() as { problem: string }).problem : undefined);
  const problemId = `try-${name()}-problem`;

  return (
    <div class="try-it" role="group" aria-label={`Try ${name()}`}>
      <JsonEditor value={text()} onChange={setText} label={`Params for ${name()}`} schema={props.capability.params ?? undefined} />
      <div class="try-it-actions">
        {/* Run stays where it is (disabled) while the call runs: a Cancel in its place would take the second click of a double click. */}
        <button type="button" class="button primary" disabled={running() || problem() !== undefined} aria-describedby={problem() ? problemId : undefined} onClick={() => void start()}>
          Run
        </button>
        <Show when={running()}>
          <button type="button" class="button danger" onClick={() => controller?.abort()}>
            Cancel
          </button>
        </Show>
        <button type="button" class="button" disabled={running()} onClick={() => setText(exampleParams(props.capability.params))}>
          Reset to example
        </button>
        <span class="try-it-status" role="status">
          <Switch>
            <Match when={run().status === 'running'}>
              Running… <span aria-hidden="true">{formatElapsed(now() - (run() as { startedAt: number }).startedAt)}</span>
            </Match>
            <Match when={run().status === 'done'}>Finished in {formatElapsed((run() as { ms: number }).ms)}.</Match>
            <Match when={run().status === 'failed'}>Failed after {formatElapsed((run() as { ms: number }).ms)}.</Match>
            <Match when={run().status === 'cancelled'}>Cancelled after {formatElapsed((run() as { ms: number }).ms)}.</Match>
          </Switch>
        </span>
      </div>
      <Show when={problem()}>
        <p class="field-error" id={problemId}>
          {problem()}
        </p>
      </Show>
      <Show when={chunkCount() > 0 || (props.capability.stream === true && run().status !== 'idle')}>
        <section class="try-it-output" aria-label="Call progress">
          <h4>
            Progress: {chunkCount()} {chunkCount() === 1 ? 'chunk' : 'chunks'}
            {chunkCount() > chunks().length ? ` (the newest ${chunks().length} shown)` : ''}
          </h4>
          <ol class="stream-chunks" start={chunkCount() - chunks().length + 1}>
            <For each={chunks()}>{(chunk) => <li><code>{JSON.stringify(chunk)}</code></li>}</For>
          </ol>
        </section>
      </Show>
      <Show when={run().status === 'done'}>
        <section class="try-it-output" aria-label="Call result">
          <h4>Result</h4>
          <pre class="call-result">{JSON.stringify((run() as { result: unknown }).result, null, 2) ?? 'no value'}</pre>
        </section>
      </Show>
      <Show when={run().status === 'failed'}>
        <CallError error={(run() as { error: unknown }).error} />
      </Show>
    </div>
  );
}
