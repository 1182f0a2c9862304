import { createEffect, createSignal, For, on, onCleanup, Show } from 'solid-js';
import { JsonEditor } from '../editor/json-editor.tsx';
import { useSchemaForm } from './form-context.ts';
import type { SchemaObject } from './schema-kind.ts';
import { pointerOf, valueAt, type ValuePath } from './value-path.ts';

const pretty = (value: unknown) => (value === undefined ? '' : JSON.stringify(value, null, 2));

/** Text to value: '' is "not set"; anything else must be JSON. */
function parse(text: string): { value: unknown } | { error: string } {
  if (text.trim() === '') return { value: undefined };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return { error: `Not valid JSON: ${(error as Error).message}` };
  }
}

/**
 * The value at `path` as JSON in the code editor: for what the form has no control for, and for
 * the whole config ("edit as JSON"). Text that does not parse keeps the last good value and holds
 * the form back from saving until it is fixed.
 */
export function JsonField(props: { path: ValuePath; schema: SchemaObject; title: string; hideTitle?: boolean }) {
  const form = useSchemaForm();
  const pointer = () => pointerOf(props.path);
  const value = () => valueAt(form.value(), props.path);
  const [text, setText] = createSignal(pretty(value()));
  const [problem, setProblem] = createSignal<string>();
  onCleanup(() => form.reportUnparsable(pointer(), undefined));

  // A change from elsewhere (a form field, a revert) shows here unless it is what the text already says.
  createEffect(on(value, (current) => {
    const parsed = parse(text());
    if (!('value' in parsed) || JSON.stringify(parsed.value) !== JSON.stringify(current)) {
      setText(pretty(current));
      setProblem(undefined);
      form.reportUnparsable(pointer(), undefined);
    }
  }, { defer: true }));

  const onChange = (next: string) => {
    setText(next);
    const parsed = parse(next);
    const message = 'error' in parsed ? parsed.error : undefined;
    setProblem(message);
    form.reportUnparsable(pointer(), message);
    if ('value' in parsed) form.set(props.path, parsed.value);
  };

  const messages = () => [...(problem() === undefined ? [] : [problem()!]), ...form.issuesWithin(pointer())];
  return (
    <div class="form-json" data-invalid={messages().length > 0 ? 'true' : undefined}>
      <Show when={!props.hideTitle}>
        <span class="form-json-title">{props.title}</span>
        <Show when={typeof props.schema.description === 'string'}>
          <p class="field-help">{props.schema.description as string}</p>
        </Show>
      </Show>
      <JsonEditor value={text()} onChange={onChange} label={props.hideTitle ? props.title : `${props.title} (JSON)`} schema={props.schema} maxHeight={480} />
      <Show when={messages().length > 0}>
        <ul class="field-errors">
          <For each={messages()}>{(message) => <li>{message}</li>}</For>
        </ul>
      </Show>
    </div>
  );
}
