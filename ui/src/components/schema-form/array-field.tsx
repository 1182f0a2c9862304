import { For, Index } from 'solid-js';
import { FieldNotes } from './field-notes.tsx';
import { useSchemaForm } from './form-context.ts';
import { PrimitiveInput, type PrimitiveInputProps } from './primitive-input.tsx';
import { fieldKind, schemaObject, type SchemaObject } from './schema-kind.ts';
import { pointerOf, valueAt, withValueAt, type ValuePath } from './value-path.ts';

/** What a new row starts as: the item schema's default, its first enum value, or an empty value of its type. */
function newItem(item: SchemaObject): unknown {
  if ('default' in item) return item.default;
  if (Array.isArray(item.enum)) return item.enum[0];
  const kind = fieldKind(item);
  if (kind === 'boolean') return false;
  if (kind === 'number' || kind === 'integer') return typeof item.minimum === 'number' ? item.minimum : 0;
  return '';
}

/** A list of primitive values: one input per row, Remove on each, Add at the end. */
export function ArrayField(props: { path: ValuePath; schema: SchemaObject; title: string }) {
  const form = useSchemaForm();
  const item = () => schemaObject(props.schema.items);
  const items = () => {
    const value = valueAt(form.value(), props.path);
    return Array.isArray(value) ? (value as unknown[]) : [];
  };
  const id = () => form.idOf(props.path);
  const rowErrors = (index: number) => form.issuesAt(pointerOf([...props.path, index]));
  const remove = (index: number) => form.set(props.path, items().filter((_, at) => at !== index));
  // Index (not For) keys rows by position, so typing in a row does not rebuild it and lose focus.
  return (
    <fieldset class="form-group form-list" aria-describedby={`${id()}-help ${id()}-errors`}>
      <legend>{props.title}</legend>
      <FieldNotes id={id()} schema={props.schema} messages={form.issuesAt(pointerOf(props.path))} />
      <ol class="form-list-rows">
        <Index each={items()} fallback={<li class="muted">No entries.</li>}>
          {(_value, index) => {
            const rowId = () => form.idOf([...props.path, index]);
            return (
              <li class="form-list-row" data-invalid={rowErrors(index).length > 0 ? 'true' : undefined}>
                <PrimitiveInput
                  path={[...props.path, index]}
                  schema={item()}
                  kind={fieldKind(item()) as PrimitiveInputProps['kind']}
                  id={rowId()}
                  required
                  ariaLabel={`${props.title}, entry ${index + 1}`}
                  describedBy={`${rowId()}-errors`}
                />
                <button type="button" class="button" aria-label={`Remove ${props.title} entry ${index + 1}`} onClick={() => remove(index)}>
                  Remove
                </button>
                <ul class="field-errors" id={`${rowId()}-errors`}>
                  <For each={rowErrors(index)}>{(message) => <li>{message}</li>}</For>
                </ul>
              </li>
            );
          }}
        </Index>
      </ol>
      <button type="button" class="button" onClick={() => form.set(props.path, withValueAt(items(), [items().length], newItem(item())))}>
        Add to {props.title}
      </button>
    </fieldset>
  );
}
