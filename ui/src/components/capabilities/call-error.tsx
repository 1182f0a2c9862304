import { BusError, ErrorCode } from '@cyberstudio/sdk';
import { For, Show } from 'solid-js';
import type { SchemaIssue } from '../../capability-types.ts';
import { describeError } from '../../api.ts';

/** The schema issues a CapabilityInvalidParams (or InvalidParams) error carries in `data.errors`, if any. */
function issuesOf(error: unknown): SchemaIssue[] {
  const errors = error instanceof BusError ? (error.data as { errors?: unknown } | undefined)?.errors : undefined;
  return Array.isArray(errors) ? (errors as SchemaIssue[]) : [];
}

/** The catalog name of a wire code (ErrorCode, not the larger catalog, keeps the bundle small); capabilities' own codes have none. */
function codeName(code: number): string {
  return Object.entries(ErrorCode).find(([, value]) => value === code)?.[0] ?? "the capability's own code";
}

/** Where an ajv issue points, in words: `/count`, or the missing property for a `required` issue. */
function place(issue: SchemaIssue): string {
  const missing = issue.params?.missingProperty;
  if (typeof missing === 'string') return `${issue.instancePath}/${missing}`;
  return issue.instancePath === '' ? '(the params)' : issue.instancePath;
}

/** A failed call: its code and name, its message, the schema issues of invalid params, and any other data. */
export function CallError(props: { error: unknown }) {
  const code = () => (props.error instanceof BusError ? props.error.code : undefined);
  const issues = () => issuesOf(props.error);
  const data = () => (props.error instanceof BusError ? props.error.data : undefined);
  return (
    <div class="error-message call-error" role="alert">
      <p>
        <Show when={code() !== undefined} fallback={<strong>Failed: </strong>}>
          <strong>
            Error <span data-testid="error-code">{code()}</span> ({codeName(code()!)}):
          </strong>{' '}
        </Show>
        {describeError(props.error)}
      </p>
      <Show when={issues().length > 0}>
        <ul class="call-issues" aria-label="What is wrong with the params">
          <For each={issues()}>
            {(issue) => (
              <li>
                <code>{place(issue)}</code> {issue.message}
              </li>
            )}
          </For>
        </ul>
      </Show>
      <Show when={data() !== undefined && issues().length === 0}>
        <details>
          <summary>Error data</summary>
          <pre>{JSON.stringify(data(), null, 2)}</pre>
        </details>
      </Show>
    </div>
  );
}
