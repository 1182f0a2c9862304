import { createSignal, Index, Show } from 'solid-js';
import { formatCount, formatTime } from '../format.ts';
import type { KernelClient } from '../kernel-client.ts';
import type { StudioUser } from '../kernel-types.ts';
import { UserEditRow } from './users/user-edit-row.tsx';

function status(user: StudioUser, now: number): string {
  if (user.disabledAt !== null) return 'disabled';
  if (user.lockedUntil !== null && user.lockedUntil > now) return `locked until ${new Date(user.lockedUntil).toLocaleTimeString()}`;
  return 'active';
}

/**
 * Every user with role, balance and status; Edit opens a row in place to change the role and
 * the balance (one row at a time). `onChanged` gets each user as the kernel answered a change.
 */
export function UsersTable(props: { users: StudioUser[]; client: KernelClient; onChanged: (user: StudioUser) => void }) {
  const now = Date.now();
  const [editing, setEditing] = createSignal<string>();
  return (
    <table class="table users-table" aria-label="Users">
      <thead>
        <tr>
          <th scope="col">Username</th>
          <th scope="col">Role</th>
          <th scope="col" class="numeric">Balance</th>
          <th scope="col">Status</th>
          <th scope="col">Created</th>
          <th scope="col" class="actions">
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {/* Index keeps a row's component when its user is replaced by the kernel's answer, so an open edit row keeps its state. */}
        <Index each={props.users}>
          {(user) => (
            <Show
              when={editing() === user().id}
              fallback={
                <tr data-user={user().username}>
                  <td>{user().username}</td>
                  <td>
                    <span class="tag" data-role={user().role}>
                      {user().role}
                    </span>
                  </td>
                  <td class="numeric" data-field="balance">
                    {user().unlimited ? 'unlimited' : formatCount(user().balance)}
                  </td>
                  <td>{status(user(), now)}</td>
                  <td>{formatTime(user().createdAt)}</td>
                  <td class="actions">
                    <button type="button" class="button" aria-label={`Edit ${user().username}`} onClick={() => setEditing(user().id)}>
                      Edit
                    </button>
                  </td>
                </tr>
              }
            >
              <UserEditRow
                user={user()}
                client={props.client}
                status={status(user(), now)}
                created={formatTime(user().createdAt)}
                onSaved={props.onChanged}
                onDone={() => setEditing(undefined)}
              />
            </Show>
          )}
        </Index>
      </tbody>
    </table>
  );
}
