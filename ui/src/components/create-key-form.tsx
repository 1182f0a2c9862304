import { createSignal, For } from 'solid-js';
import type { KernelClient } from '../kernel-client.ts';
import type { IssuedApiKey, StudioUser } from '../kernel-types.ts';
import { ErrorMessage } from './error-message.tsx';

/** Creates an API key for a user (`auth.keys.create`); `onIssued` receives the secret, which exists only in that answer. */
export function CreateKeyForm(props: { client: KernelClient; users: StudioUser[]; onIssued: (key: IssuedApiKey) => void }) {
  const [error, setError] = createSignal<unknown>();
  const [busy, setBusy] = createSignal(false);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const days = String(data.get('expiresInDays') ?? '').trim();
    setBusy(true);
    setError(undefined);
    try {
      const issued = await props.client.call<IssuedApiKey>('auth.keys.create', {
        user: String(data.get('user')),
        name: String(data.get('name')).trim(),
        ...(days === '' ? {} : { expiresInDays: Number(days) }),
      });
      form.reset();
      props.onIssued(issued);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card form" onSubmit={submit} aria-labelledby="create-key-title">
      <h2 id="create-key-title">New API key</h2>
      <div class="form-grid">
        <label>
          <span>For user</span>
          <select name="user" required>
            <For each={props.users.filter((user) => user.disabledAt === null)}>{(user) => <option value={user.id}>{user.username}</option>}</For>
          </select>
        </label>
        <label>
          <span>Key name</span>
          <input name="name" required maxLength={100} placeholder="laptop" autocomplete="off" />
        </label>
        <label>
          <span>Expires in days</span>
          <input name="expiresInDays" type="number" min="1" step="1" placeholder="never" />
        </label>
      </div>
      <div class="form-actions">
        <button type="submit" class="button primary" disabled={busy() || props.users.length === 0}>
          {busy() ? 'Creating…' : 'Create key'}
        </button>
      </div>
      <ErrorMessage error={error()} prefix="Could not create the key:" />
    </form>
  );
}
