import { createMemo, Show } from 'solid-js';
import type { JsonSchema } from '../../capability-types.ts';
import '../../styles/config-form.css';
import { fieldId, SchemaFormContext, type SchemaFormState } from './form-context.ts';
import { JsonField } from './json-field.tsx';
import { ObjectFields } from './schema-field.tsx';
import { fieldKind, schemaObject } from './schema-kind.ts';
import type { FieldIssue } from './validate-config.ts';
import { withValueAt } from './value-path.ts';

/** What a SchemaForm edits and shows; the owner keeps the value, validates it, and saves it. */
export interface SchemaFormProps {
  schema: JsonSchema;
  value: unknown;
  onChange: (value: unknown) => void;
  /** Issues to show next to their fields (from the browser's check or the kernel's). */
  issues: readonly FieldIssue[];
  /** Prefix of the fields' DOM ids, unique on the page. */
  idPrefix: string;
  /** Show the whole value as one JSON document instead of fields. */
  asJson: boolean;
  /** Hears which fields hold text that is not JSON (pointer to message); the owner must not save meanwhile. */
  onUnparsable: (problems: ReadonlyMap<string, string>) => void;
}

/**
 * A form generated from a JSON Schema: text, numbers (with their limits), checkboxes, selects for
 * enums, fieldsets for nested objects, lists of primitives; anything else as a JSON editor.
 */
export function SchemaForm(props: SchemaFormProps) {
  const problems = new Map<string, string>();
  const byPointer = createMemo(() => {
    const map = new Map<string, string[]>();
    for (const issue of props.issues) map.set(issue.pointer, [...(map.get(issue.pointer) ?? []), issue.message]);
    return map;
  });
  const state: SchemaFormState = {
    value: () => props.value,
    set: (path, value) => props.onChange(withValueAt(props.value, path, value)),
    issuesAt: (pointer) => byPointer().get(pointer) ?? [],
    issuesWithin: (pointer) =>
      props.issues
        .filter((issue) => issue.pointer === pointer || issue.pointer.startsWith(`${pointer}/`))
        .map((issue) => (issue.pointer === pointer ? issue.message : `${issue.pointer.slice(pointer.length)}: ${issue.message}`)),
    reportUnparsable: (pointer, message) => {
      if (message === undefined ? !problems.delete(pointer) : problems.get(pointer) === message) return;
      if (message !== undefined) problems.set(pointer, message);
      props.onUnparsable(new Map(problems));
    },
    idOf: (path) => fieldId(props.idPrefix, path),
  };
  const root = () => schemaObject(props.schema);

  return (
    <SchemaFormContext.Provider value={state}>
      <div class="schema-form">
        <Show when={!props.asJson && fieldKind(root()) === 'object'} fallback={<JsonField path={[]} schema={root()} title="The whole config as JSON" hideTitle />}>
          <ObjectFields path={[]} schema={root()} />
        </Show>
      </div>
    </SchemaFormContext.Provider>
  );
}
