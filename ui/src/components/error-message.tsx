import { Show } from 'solid-js';
import { describeError } from '../api.ts';

/** An error in plain words, or nothing when `error` is undefined. */
export function ErrorMessage(props: { error: unknown; prefix?: string }) {
  return (
    <Show when={props.error !== undefined && props.error !== null}>
      <p class="error-message" role="alert">
        <Show when={props.prefix}>{(prefix) => <strong>{prefix()} </strong>}</Show>
        {describeError(props.error)}
      </p>
    </Show>
  );
}
