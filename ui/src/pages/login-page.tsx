import { createSignal, Show } from 'solid-js';
import { ErrorMessage } from '../components/error-message.tsx';
import { ThemeSwitcher } from '../components/theme-switcher.tsx';
import { signIn } from '../session.ts';

/** Username and password, checked by the auth plugin (POST /auth/login); `notice` explains why the user is here. */
export function LoginPage(props: { notice?: string }) {
  const [error, setError] = createSignal<unknown>();
  const [busy, setBusy] = createSignal(false);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(undefined);
    try {
      await signIn(String(data.get('username')).trim(), String(data.get('password')));
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <form class="card login-card" onSubmit={submit} aria-labelledby="login-title">
        <p class="brand">
          <span class="brand-mark" aria-hidden="true" />
          CyberDevStudio
        </p>
        <h1 id="login-title">Sign in</h1>
        <Show when={props.notice && error() === undefined}>
          <p class="notice" role="status">
            {props.notice}
          </p>
        </Show>
        <label>
          <span>Username</span>
          <input name="username" required autocomplete="username" autofocus />
        </label>
        <label>
          <span>Password</span>
          <input name="password" type="password" required autocomplete="current-password" />
        </label>
        <button type="submit" class="button primary wide" disabled={busy()}>
          {busy() ? 'Signing in…' : 'Sign in'}
        </button>
        <ErrorMessage error={error()} />
        <div class="login-footer">
          <ThemeSwitcher />
        </div>
      </form>
    </main>
  );
}
