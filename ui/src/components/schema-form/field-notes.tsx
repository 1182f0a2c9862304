import { For, Show } from 'solid-js';
import type { SchemaObject } from './schema-kind.ts';

/** A field's help line and its errors, with the ids its control's aria-describedby points at. */
export function FieldNotes(props: { id: string; schema: SchemaObject; messages: string[] }) {
  const description = () => (typeof props.schema.description === 'string' ? props.schema.description : undefined);
  const fallback = () => ('default' in props.schema ? JSON.stringify(props.schema.default) : undefined);
  return (
    <>
      <Show when={description() !== undefined || fallback() !== undefined}>
        <p class="field-help" id={`${props.id}-help`}>
          {description()}
          <Show when={fallback()}>{(text) => <span class="field-default"> Default: {text()}.</span>}</Show>
        </p>
      </Show>
      <Show when={props.messages.length > 0}>
        <ul class="field-errors" id={`${props.id}-errors`}>
          <For each={props.messages}>{(message) => <li>{message}</li>}</For>
        </ul>
      </Show>
    </>
  );
}
