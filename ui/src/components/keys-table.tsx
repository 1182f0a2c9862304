import { createSignal, For, Show } from 'solid-js';
import { formatTime } from '../format.ts';
import type { KernelClient } from '../kernel-client.ts';
import type { ApiKey } from '../kernel-types.ts';
import { ConfirmInline } from './confirm-inline.tsx';
import { ErrorMessage } from './error-message.tsx';

function keyStatus(key: ApiKey, now: number): 'revoked' | 'expired' | 'active' {
  if (key.revokedAt !== null) return 'revoked';
  if (key.expiresAt !== null && key.expiresAt <= now) return 'expired';
  return 'active';
}

/** API keys (never their secrets) with owner, dates and a revoke button that asks first. */
export function KeysTable(props: { keys: ApiKey[]; usernames: Map<string, string>; client: KernelClient; onRevoked: (key: ApiKey) => void }) {
  const [confirming, setConfirming] = createSignal<string>();
  const [error, setError] = createSignal<unknown>();
  const now = Date.now();

  const revoke = async (key: ApiKey) => {
    setError(undefined);
    try {
      props.onRevoked(await props.client.call<ApiKey>('auth.keys.revoke', { id: key.id }));
    } catch (failure) {
      setError(failure);
    } finally {
      setConfirming(undefined);
    }
  };

  return (
    <>
      <ErrorMessage error={error()} prefix="Could not revoke the key:" />
      <table class="table" aria-label="API keys">
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Name</th>
            <th scope="col">Owner</th>
            <th scope="col">Created</th>
            <th scope="col">Expires</th>
            <th scope="col">Last used</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          <For each={props.keys}>
            {(key) => (
              <tr data-key={key.prefix} data-status={keyStatus(key, now)}>
                <td>
                  <code>{key.prefix}…</code>
                </td>
                <td>{key.name}</td>
                <td>{props.usernames.get(key.userId) ?? key.userId}</td>
                <td>{formatTime(key.createdAt)}</td>
                <td>{formatTime(key.expiresAt)}</td>
                <td>{formatTime(key.lastUsedAt)}</td>
                <td>
                  <span class="tag" data-tone={keyStatus(key, now) === 'active' ? 'good' : 'idle'}>
                    {keyStatus(key, now)}
                  </span>
                </td>
                <td class="actions">
                  <Show when={keyStatus(key, now) === 'active'}>
                    <Show
                      when={confirming() === key.id}
                      fallback={
                        <button type="button" class="button" onClick={() => setConfirming(key.id)} aria-label={`Revoke ${key.name}`}>
                          Revoke
                        </button>
                      }
                    >
                      <ConfirmInline question="Revoke for good?" confirmLabel="Yes, revoke" onConfirm={() => void revoke(key)} onCancel={() => setConfirming(undefined)} />
                    </Show>
                  </Show>
                </td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </>
  );
}
