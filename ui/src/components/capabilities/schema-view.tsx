import { For, Match, Show, Switch } from 'solid-js';
import type { JsonSchema } from '../../capability-types.ts';
import { propertiesOf, requiredOf, schemaObject, typeLabel, type SchemaObject } from '../schema-form/schema-kind.ts';

/** One row of the property table: a dotted name for nested properties. */
interface PropertyRow {
  name: string;
  schema: SchemaObject;
  required: boolean;
}

/** Nested object properties are listed as `parent.child`, down to a few levels. */
function rows(schema: SchemaObject, prefix = '', depth = 0): PropertyRow[] {
  const required = requiredOf(schema);
  return propertiesOf(schema).flatMap(([name, property]) => {
    const row = { name: `${prefix}${name}`, schema: property, required: required.has(name) };
    return depth < 3 && property.properties ? [row, ...rows(property, `${row.name}.`, depth + 1)] : [row];
  });
}

const notes = (schema: SchemaObject) =>
  [typeof schema.description === 'string' ? schema.description : undefined, 'default' in schema ? `Default ${JSON.stringify(schema.default)}.` : undefined].filter(Boolean).join(' ');

/**
 * A JSON Schema for people: a table of its properties (type, required, description) when it
 * describes an object, a one-line type otherwise, and the schema itself folded underneath.
 */
export function SchemaView(props: { schema: JsonSchema | null; label: string }) {
  const s = () => schemaObject(props.schema);
  const table = () => rows(s());
  return (
    <Switch>
      <Match when={props.schema === null}>
        <p class="muted">Not known until the plugin has run: it publishes its schemas when it starts.</p>
      </Match>
      <Match when={true}>
        <Show
          when={table().length > 0}
          fallback={
            <p>
              {typeLabel(props.schema)}
              {s().additionalProperties === false && !s().properties ? ' with no properties' : ''}.
            </p>
          }
        >
          <table class="table schema-table" aria-label={props.label}>
            <thead>
              <tr>
                <th scope="col">Property</th>
                <th scope="col">Type</th>
                <th scope="col">Notes</th>
              </tr>
            </thead>
            <tbody>
              <For each={table()}>
                {(row) => (
                  <tr>
                    <td>
                      <code>{row.name}</code>
                      <Show when={row.required}>
                        <span class="schema-required"> required</span>
                      </Show>
                    </td>
                    <td>{typeLabel(row.schema)}</td>
                    <td class="muted">{notes(row.schema)}</td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
          <Show when={s().additionalProperties === false}>
            <p class="muted schema-note">No other properties are allowed.</p>
          </Show>
        </Show>
        <details class="schema-source">
          <summary>JSON Schema</summary>
          <pre>{JSON.stringify(props.schema, null, 2)}</pre>
        </details>
      </Match>
    </Switch>
  );
}
