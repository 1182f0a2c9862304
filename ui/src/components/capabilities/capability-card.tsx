import { createSignal, lazy, Show, Suspense } from 'solid-js';
import type { CapabilityInfo } from '../../capability-types.ts';
import type { KernelClient } from '../../kernel-client.ts';
import { CopyButton } from '../copy-button.tsx';
import { exampleParams } from './example-params.ts';
import { SchemaView } from './schema-view.tsx';

// The try-it panel (and the editor code it brings) loads on the first "Try it", not with the studio.
const TryItPanel = lazy(() => import('./try-it-panel.tsx').then((module) => ({ default: module.TryItPanel })));

/** How a capability answers, in words; null until its provider has run. */
function answerKind(stream: boolean | null): { text: string; tone?: string } {
  if (stream === null) return { text: 'answer kind not known yet' };
  return stream ? { text: 'streams progress', tone: 'good' } : { text: 'one result' };
}

/**
 * One capability: name, description, how it answers, its params and result schemas and an
 * example to copy (folded), and, for callers allowed to, a try-it panel opened on demand (the
 * editor loads only then).
 */
export function CapabilityCard(props: { client: KernelClient; capability: CapabilityInfo; canCall: boolean }) {
  const [trying, setTrying] = createSignal(false);
  const id = () => `capability-${props.capability.name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  const example = () => exampleParams(props.capability.params);
  const kind = () => answerKind(props.capability.stream);

  return (
    <article class="capability-card card" aria-labelledby={`${id()}-name`} data-capability={props.capability.name}>
      <header class="capability-header">
        <h3 id={`${id()}-name`}>
          <code>{props.capability.name}</code>
        </h3>
        <span class="tag" data-tone={kind().tone} data-testid="answer-kind">
          {kind().text}
        </span>
        <Show when={props.canCall}>
          <button type="button" class="button capability-try" aria-expanded={trying()} aria-controls={`${id()}-try`} onClick={() => setTrying(!trying())}>
            {trying() ? 'Close' : 'Try it'}
          </button>
        </Show>
      </header>
      <p class="capability-description">{props.capability.description ?? 'No description: the plugin has not run yet.'}</p>
      <details class="capability-details">
        <summary>Params, result and example</summary>
        <div class="schema-columns">
          <section aria-labelledby={`${id()}-params`}>
            <h4 id={`${id()}-params`}>Params</h4>
            <SchemaView schema={props.capability.params} label={`Params of ${props.capability.name}`} />
          </section>
          <section aria-labelledby={`${id()}-result`}>
            <h4 id={`${id()}-result`}>Result</h4>
            <SchemaView schema={props.capability.result} label={`Result of ${props.capability.name}`} />
          </section>
        </div>
        <section class="capability-example" aria-labelledby={`${id()}-example`}>
          <div class="capability-example-header">
            <h4 id={`${id()}-example`}>Example params</h4>
            <CopyButton text={example()} label="Copy example" />
          </div>
          <pre>{example()}</pre>
        </section>
      </details>
      <Show when={trying()}>
        <div id={`${id()}-try`}>
          <Suspense fallback={<p class="muted">Loading the editor…</p>}>
            <TryItPanel client={props.client} capability={props.capability} />
          </Suspense>
        </div>
      </Show>
    </article>
  );
}
