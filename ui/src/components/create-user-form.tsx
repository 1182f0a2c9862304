import { createSignal, Show } from 'solid-js';
import type { KernelClient } from '../kernel-client.ts';
import type { StudioUser } from '../kernel-types.ts';
import { ErrorMessage } from './error-message.tsx';

/** Creates a user (`auth.users.create`) with a role, a password and a token balance. */
export function CreateUserForm(props: { client: KernelClient; onCreated: (user: StudioUser) => void }) {
  const [error, setError] = createSignal<unknown>();
  const [created, setCreated] = createSignal<string>();
  const [busy, setBusy] = createSignal(false);
  const [unlimited, setUnlimited] = createSignal(false);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    setBusy(true);
    setError(undefined);
    setCreated(undefined);
    try {
      const user = await props.client.call<StudioUser>('auth.users.create', {
        username: String(data.get('username')).trim(),
        password: String(data.get('password')),
        role: String(data.get('role')),
        ...(unlimited() ? { unlimited: true } : { balance: Number(data.get('balance') || 0) }),
      });
      form.reset();
      setUnlimited(false);
      setCreated(user.username);
      props.onCreated(user);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card form" onSubmit={submit} aria-labelledby="create-user-title">
      <h2 id="create-user-title">New user</h2>
      <div class="form-grid">
        <label>
          <span>Username</span>
          <input name="username" required pattern="[a-z][a-z0-9._\-]{1,63}" autocomplete="off" title="Lowercase letters, digits, dot, dash or underscore; 2 to 64 characters, starting with a letter." />
        </label>
        <label>
          <span>Password</span>
          <input name="password" type="password" required minLength={8} autocomplete="new-password" />
        </label>
        <label>
          <span>Role</span>
          <select name="role">
            <option value="viewer">viewer: read-only</option>
            <option value="developer">developer</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <label>
          <span>Token balance</span>
          <input name="balance" type="number" min="0" step="1" value="0" disabled={unlimited()} />
        </label>
        <label class="checkbox">
          <input type="checkbox" checked={unlimited()} onChange={(event) => setUnlimited(event.currentTarget.checked)} />
          <span>Unlimited tokens</span>
        </label>
      </div>
      <div class="form-actions">
        <button type="submit" class="button primary" disabled={busy()}>
          {busy() ? 'Creating…' : 'Create user'}
        </button>
        <Show when={created()}>{(name) => <span class="success" role="status">User {name()} created.</span>}</Show>
      </div>
      <ErrorMessage error={error()} prefix="Could not create the user:" />
    </form>
  );
}
