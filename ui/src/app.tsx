import { Match, Switch } from 'solid-js';
import { LoginPage } from './pages/login-page.tsx';
import { restoreSession, session, type SessionState } from './session.ts';
import { Shell } from './shell.tsx';

type State<S extends SessionState['status']> = Extract<SessionState, { status: S }>;

/** The studio: a sign-in page, or the signed-in shell, after the session check. */
export function App() {
  const is = <S extends SessionState['status']>(status: S) => {
    const current = session();
    return current.status === status ? (current as State<S>) : undefined;
  };
  return (
    <Switch>
      <Match when={is('checking')}>
        <main class="splash" role="status">
          Connecting to the kernel…
        </main>
      </Match>
      <Match when={is('unreachable')}>
        {(state) => (
          <main class="splash">
            <div class="card">
              <h1>The studio cannot start</h1>
              <p role="alert">{state().message}</p>
              <button type="button" class="button primary" onClick={() => void restoreSession()}>
                Try again
              </button>
            </div>
          </main>
        )}
      </Match>
      <Match when={is('signed-out')}>{(state) => <LoginPage notice={state().notice} />}</Match>
      <Match when={is('signed-in')} keyed>
        {(state) => <Shell user={state.user} client={state.client} />}
      </Match>
    </Switch>
  );
}
