import { createSignal, For, Show } from 'solid-js';
import type { KernelClient } from '../../kernel-client.ts';
import type { StudioUser } from '../../kernel-types.ts';
import { ErrorMessage } from '../error-message.tsx';
import { draftOf, draftProblem, saveUserChanges, USER_ROLES, type UserDraft } from './user-changes.ts';
import '../../styles/users-edit.css';

/**
 * A user's row of the users table while an admin edits it: role, balance (or unlimited), Save
 * and Cancel. The draft is checked before anything is sent; `onSaved` gets the user as the
 * kernel answered (also after a partly refused save, which keeps the row open with the reason),
 * `onDone` closes the row.
 */
export function UserEditRow(props: { user: StudioUser; client: KernelClient; status: string; created: string; onSaved: (user: StudioUser) => void; onDone: () => void }) {
  const [draft, setDraft] = createSignal<UserDraft>(draftOf(props.user));
  const [problem, setProblem] = createSignal<string>();
  const [error, setError] = createSignal<Error>();
  const [busy, setBusy] = createSignal(false);
  const name = () => props.user.username;
  const messageId = () => `user-edit-message-${props.user.id}`;
  const change = (part: Partial<UserDraft>) => {
    setDraft({ ...draft(), ...part });
    setProblem(undefined);
  };

  const save = async (event: SubmitEvent) => {
    event.preventDefault();
    setError(undefined);
    const found = draftProblem(draft());
    setProblem(found);
    if (found) return;
    setBusy(true);
    try {
      const outcome = await saveUserChanges(props.client, props.user, draft());
      props.onSaved(outcome.user);
      if (outcome.error) setError(outcome.error);
      else props.onDone();
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <tr data-user={name()} data-editing="true" class="user-edit-row">
        <td>{name()}</td>
        <td>
          <select form={`user-edit-${props.user.id}`} aria-label={`Role of ${name()}`} onChange={(event) => change({ role: event.currentTarget.value })}>
            <For each={USER_ROLES}>{(role) => <option value={role} selected={draft().role === role}>{role}</option>}</For>
          </select>
        </td>
        <td class="numeric">
          <div class="balance-edit">
            <input
              form={`user-edit-${props.user.id}`}
              type="text"
              inputmode="numeric"
              aria-label={`Balance of ${name()}`}
              aria-invalid={problem() !== undefined}
              aria-describedby={problem() || error() ? messageId() : undefined}
              value={draft().balance}
              disabled={draft().unlimited}
              onInput={(event) => change({ balance: event.currentTarget.value })}
            />
            <label class="checkbox">
              <input form={`user-edit-${props.user.id}`} type="checkbox" checked={draft().unlimited} onChange={(event) => change({ unlimited: event.currentTarget.checked })} />
              <span>Unlimited</span>
            </label>
          </div>
        </td>
        <td>{props.status}</td>
        <td>{props.created}</td>
        <td class="actions">
          <form id={`user-edit-${props.user.id}`} class="confirm-inline" onSubmit={save} aria-label={`Edit ${name()}`}>
            <button type="submit" class="button primary" disabled={busy()}>
              {busy() ? 'Saving…' : 'Save'}
            </button>
            <button type="button" class="button" disabled={busy()} onClick={() => props.onDone()}>
              Cancel
            </button>
          </form>
        </td>
      </tr>
      <Show when={problem() || error()}>
        <tr class="user-edit-message">
          <td colSpan={6} id={messageId()}>
            <Show when={problem()}>
              {(text) => (
                <p class="error-message" role="alert">
                  {text()}
                </p>
              )}
            </Show>
            <ErrorMessage error={error()} />
          </td>
        </tr>
      </Show>
    </>
  );
}
