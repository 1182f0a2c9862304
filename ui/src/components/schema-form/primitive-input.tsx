import { createEffect, createSignal, For, Match, on, Show, Switch } from 'solid-js';
import { useSchemaForm } from './form-context.ts';
import type { FieldKind, SchemaObject } from './schema-kind.ts';
import { pointerOf, valueAt, type ValuePath } from './value-path.ts';

/** One input for a string, number, integer, boolean or enum value at `path` of the form's value. */
export interface PrimitiveInputProps {
  path: ValuePath;
  schema: SchemaObject;
  kind: Exclude<FieldKind, 'object' | 'array' | 'json'>;
  id: string;
  /** A required value is kept as '' when emptied; an optional one leaves the config. */
  required: boolean;
  /** Ids of the help and error texts. */
  describedBy?: string;
  /** An accessible name when no <label for> names the input (rows of a list). */
  ariaLabel?: string;
}

/** Text to number: '' is "not set", a finite number is kept, anything else stays text for the validator to name. */
function parseNumber(text: string): unknown {
  if (text.trim() === '') return undefined;
  const number = Number(text);
  return Number.isFinite(number) ? number : text;
}

/** The input for a primitive value; it writes through the form as the user types. */
export function PrimitiveInput(props: PrimitiveInputProps) {
  const form = useSchemaForm();
  const value = () => valueAt(form.value(), props.path);
  const invalid = () => form.issuesAt(pointerOf(props.path)).length > 0;
  const fallback = () => props.schema.default;
  const common = () => ({
    id: props.id,
    'aria-describedby': props.describedBy,
    'aria-invalid': invalid() ? ('true' as const) : undefined,
    'aria-label': props.ariaLabel,
  });

  // Numbers keep the typed text, so "-" or "1." on the way to "-1" or "1.5" is not wiped by a re-render.
  const [text, setText] = createSignal('');
  createEffect(on(value, (current) => {
    if (props.kind !== 'number' && props.kind !== 'integer') return;
    const shown = parseNumber(text());
    if (shown !== current && !(shown === undefined && current === '')) setText(current === undefined ? '' : String(current));
  }));

  const enumValues = () => (Array.isArray(props.schema.enum) ? (props.schema.enum as (string | number)[]) : []);
  const selectedIndex = () => enumValues().indexOf(value() as string | number);
  const placeholder = () => (fallback() === undefined ? undefined : String(fallback()));

  return (
    <Switch>
      <Match when={props.kind === 'boolean'}>
        <input type="checkbox" {...common()} checked={Boolean(value() ?? fallback() ?? false)} onChange={(event) => form.set(props.path, event.currentTarget.checked)} />
      </Match>
      <Match when={props.kind === 'enum'}>
        <select
          {...common()}
          onChange={(event) => {
            const index = Number(event.currentTarget.value);
            form.set(props.path, index < 0 ? undefined : enumValues()[index]);
          }}
        >
          <Show when={!props.required || !enumValues().includes(value() as string | number)}>
            <option value="-1" selected={selectedIndex() === -1}>
              {fallback() === undefined ? '(not set)' : `(not set: ${String(fallback())})`}
            </option>
          </Show>
          {/* `selected` on the options, not `value` on the select: the value would be set before the options exist. */}
          <For each={enumValues()}>
            {(option, index) => (
              <option value={String(index())} selected={selectedIndex() === index()}>
                {String(option)}
              </option>
            )}
          </For>
        </select>
      </Match>
      <Match when={props.kind === 'number' || props.kind === 'integer'}>
        <input
          type="text"
          inputMode={props.kind === 'integer' ? 'numeric' : 'decimal'}
          spellcheck={false}
          {...common()}
          placeholder={placeholder()}
          value={text()}
          onInput={(event) => {
            setText(event.currentTarget.value);
            const parsed = parseNumber(event.currentTarget.value);
            // A required number left empty stays '' so the check names it, instead of vanishing.
            form.set(props.path, parsed === undefined && props.required ? '' : parsed);
          }}
        />
      </Match>
      <Match when={props.kind === 'string'}>
        <input
          type="text"
          {...common()}
          placeholder={placeholder()}
          value={typeof value() === 'string' ? (value() as string) : value() === undefined ? '' : JSON.stringify(value())}
          onInput={(event) => {
            const next = event.currentTarget.value;
            form.set(props.path, next === '' && !props.required ? undefined : next);
          }}
        />
      </Match>
    </Switch>
  );
}
