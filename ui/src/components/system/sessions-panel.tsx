import { createEffect, createSignal, For, Show } from 'solid-js';
import { createStore, reconcile } from 'solid-js/store';
import { formatTime } from '../../format.ts';
import type { KernelClient } from '../../kernel-client.ts';
import type { SignInSession } from '../../system-types.ts';
import { ConfirmInline } from '../confirm-inline.tsx';
import { EmptyState } from '../empty-state.tsx';
import { ErrorMessage } from '../error-message.tsx';

/**
 * The auth plugin's open sign-in sessions (`auth.sessions.list`): user, role, when each began,
 * ends and was last used. An admin may end another session (`auth.logout { sessionId }`) after
 * confirming; this browser's own is marked and ended with Sign out instead.
 */
export function SessionsPanel(props: { sessions: SignInSession[] | undefined; error: unknown; client: KernelClient; onEnded: () => void }) {
  const [confirming, setConfirming] = createSignal<string>();
  const [busy, setBusy] = createSignal(false);
  const [failure, setFailure] = createSignal<unknown>();
  // Each poll answers with new objects; matched by id, a row is updated in place instead of rebuilt (which drops the keyboard focus).
  const [rows, setRows] = createStore<SignInSession[]>([]);
  createEffect(() => setRows(reconcile(props.sessions ?? [], { key: 'id' })));

  const end = async (session: SignInSession) => {
    setBusy(true);
    setFailure(undefined);
    try {
      await props.client.call('auth.logout', { sessionId: session.id });
      setConfirming(undefined);
      props.onEnded();
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card system-card" aria-labelledby="system-sessions-title">
      <h2 id="system-sessions-title">Sign-in sessions</h2>
      <p class="muted">Studio sessions the auth plugin holds open. "Last used" is updated at most once a minute; API keys are listed on the Users page.</p>
      <ErrorMessage error={props.error} prefix="Could not list the sessions:" />
      <ErrorMessage error={failure()} prefix="Could not end the session:" />
      <Show when={props.sessions}>
        {(sessions) => (
          <Show when={sessions().length > 0} fallback={<EmptyState title="No one is signed in with a session." />}>
            <table class="table" aria-label="Sign-in sessions">
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Role</th>
                  <th scope="col">Signed in</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Last used</th>
                  <th scope="col" class="actions">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                <For each={rows}>
                  {(session) => (
                    <tr data-session-user={session.username} data-current={session.current ? 'true' : undefined}>
                      <td>
                        {session.username}{' '}
                        <Show when={session.current}>
                          <span class="tag" data-tone="good">
                            this browser
                          </span>
                        </Show>
                      </td>
                      <td>
                        <span class="tag" data-role={session.role}>
                          {session.role}
                        </span>
                      </td>
                      <td>{formatTime(session.createdAt)}</td>
                      <td>{formatTime(session.expiresAt)}</td>
                      <td>{formatTime(session.lastSeenAt)}</td>
                      <td class="actions">
                        <Show when={!session.current}>
                          <Show
                            when={confirming() === session.id}
                            fallback={
                              <button type="button" class="button" aria-label={`End ${session.username}'s session`} onClick={() => setConfirming(session.id)}>
                                End
                              </button>
                            }
                          >
                            <ConfirmInline confirmLabel="Yes, end it" cancelLabel="Keep" busy={busy()} onConfirm={() => void end(session)} onCancel={() => setConfirming(undefined)} />
                          </Show>
                        </Show>
                      </td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </Show>
        )}
      </Show>
    </section>
  );
}
