import { For, Match, Switch } from 'solid-js';
import { ArrayField } from './array-field.tsx';
import { FieldNotes } from './field-notes.tsx';
import { useSchemaForm } from './form-context.ts';
import { JsonField } from './json-field.tsx';
import { PrimitiveInput, type PrimitiveInputProps } from './primitive-input.tsx';
import { fieldKind, fieldTitle, propertiesOf, requiredOf, type SchemaObject } from './schema-kind.ts';
import { pointerOf, type ValuePath } from './value-path.ts';

/** The properties of an object schema, one field each, in declaration order. */
export function ObjectFields(props: { path: ValuePath; schema: SchemaObject }) {
  const required = () => requiredOf(props.schema);
  return <For each={propertiesOf(props.schema)}>{([name, schema]) => <SchemaField name={name} path={[...props.path, name]} schema={schema} required={required().has(name)} />}</For>;
}

/** One property: a labelled control chosen from its schema, its help, default and errors. */
export function SchemaField(props: { name: string; path: ValuePath; schema: SchemaObject; required: boolean }) {
  const form = useSchemaForm();
  const id = () => form.idOf(props.path);
  const kind = () => fieldKind(props.schema);
  const title = () => fieldTitle(props.schema, props.name);
  const messages = () => form.issuesAt(pointerOf(props.path));
  const describedBy = () => `${id()}-help ${id()}-errors`;
  const marker = () => (props.required ? <span class="field-required"> (required)</span> : null);

  return (
    <div class="form-field" data-field={pointerOf(props.path)} data-kind={kind()} data-invalid={messages().length > 0 ? 'true' : undefined}>
      <Switch>
        <Match when={kind() === 'object'}>
          <fieldset class="form-group">
            <legend>
              {title()}
              {marker()}
            </legend>
            <FieldNotes id={id()} schema={props.schema} messages={messages()} />
            <ObjectFields path={props.path} schema={props.schema} />
          </fieldset>
        </Match>
        <Match when={kind() === 'array'}>
          <ArrayField path={props.path} schema={props.schema} title={title()} />
        </Match>
        <Match when={kind() === 'json'}>
          <JsonField path={props.path} schema={props.schema} title={title()} />
        </Match>
        <Match when={kind() === 'boolean'}>
          <label class="checkbox form-checkbox">
            <PrimitiveInput path={props.path} schema={props.schema} kind="boolean" id={id()} required={props.required} describedBy={describedBy()} />
            {title()}
            {marker()}
          </label>
          <FieldNotes id={id()} schema={props.schema} messages={messages()} />
        </Match>
        <Match when={true}>
          <label for={id()}>
            {title()}
            {marker()}
          </label>
          <PrimitiveInput path={props.path} schema={props.schema} kind={kind() as PrimitiveInputProps['kind']} id={id()} required={props.required} describedBy={describedBy()} />
          <FieldNotes id={id()} schema={props.schema} messages={messages()} />
        </Match>
      </Switch>
    </div>
  );
}
