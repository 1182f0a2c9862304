import { createResource, createSignal, Match, Show, Switch } from 'solid-js';
import { CreateKeyForm } from '../components/create-key-form.tsx';
import { CreateUserForm } from '../components/create-user-form.tsx';
import { EmptyState } from '../components/empty-state.tsx';
import { ErrorMessage } from '../components/error-message.tsx';
import { IssuedKey } from '../components/issued-key.tsx';
import { KeysTable } from '../components/keys-table.tsx';
import { UsersTable } from '../components/users-table.tsx';
import type { KernelClient } from '../kernel-client.ts';
import type { ApiKey, IssuedApiKey, StudioUser } from '../kernel-types.ts';
import { loaded } from '../loaded.ts';

/** Admins list and create users, change their role and balance, issue API keys (shown once) and revoke them. */
export function UsersPage(props: { client: KernelClient }) {
  const [users, { refetch: reloadUsers, mutate: setUsers }] = createResource(() => props.client.call<StudioUser[]>('auth.users.list'));
  const [keys, { refetch: reloadKeys }] = createResource(() => props.client.call<ApiKey[]>('auth.keys.list'));
  // The one place the secret lives; leaving the page drops it for good.
  const [issued, setIssued] = createSignal<IssuedApiKey>();
  const usernames = () => new Map((loaded(users) ?? []).map((user) => [user.id, user.username]));
  const sortedKeys = () => [...(loaded(keys) ?? [])].sort((a, b) => b.createdAt - a.createdAt);

  return (
    <section class="page" aria-labelledby="users-title">
      <header class="page-header">
        <div>
          <h1 id="users-title">Users and API keys</h1>
          <p class="muted">Accounts of the auth plugin. Roles decide what each user may call (gateway access rules in plugins.json).</p>
        </div>
      </header>

      <Show when={issued()}>
        {(key) => <IssuedKey issued={key()} ownerName={usernames().get(key().userId) ?? key().userId} onDismiss={() => setIssued(undefined)} />}
      </Show>

      <div class="two-columns">
        <CreateUserForm client={props.client} onCreated={() => void reloadUsers()} />
        <CreateKeyForm
          client={props.client}
          users={loaded(users) ?? []}
          onIssued={(key) => {
            setIssued(key);
            void reloadKeys();
          }}
        />
      </div>

      <h2>Users</h2>
      <ErrorMessage error={users.error} prefix="Could not load the users:" />
      <Switch>
        <Match when={users.loading && !loaded(users)}>
          <p class="muted">Loading users…</p>
        </Match>
        <Match when={loaded(users)?.length === 0}>
          <EmptyState title="No users yet." />
        </Match>
        <Match when={loaded(users)}>
          {(list) => (
            <UsersTable
              users={list()}
              client={props.client}
              onChanged={(changed) => setUsers((current) => current?.map((user) => (user.id === changed.id ? changed : user)))}
            />
          )}
        </Match>
      </Switch>

      <h2>API keys</h2>
      <ErrorMessage error={keys.error} prefix="Could not load the keys:" />
      <Switch>
        <Match when={keys.loading && !loaded(keys)}>
          <p class="muted">Loading keys…</p>
        </Match>
        <Match when={loaded(keys)?.length === 0}>
          <EmptyState title="No API keys yet.">
            <p>Create one above; programs send it as “Authorization: Bearer &lt;key&gt;”.</p>
          </EmptyState>
        </Match>
        <Match when={loaded(keys)}>
          <KeysTable keys={sortedKeys()} usernames={usernames()} client={props.client} onRevoked={() => void reloadKeys()} />
        </Match>
      </Switch>
    </section>
  );
}
