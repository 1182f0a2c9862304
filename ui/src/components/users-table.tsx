import { For } from 'solid-js';
import { formatCount, formatTime } from '../format.ts';
import type { StudioUser } from '../kernel-types.ts';

function status(user: StudioUser, now: number): string {
  if (user.disabledAt !== null) return 'disabled';
  if (user.lockedUntil !== null && user.lockedUntil > now) return `locked until ${new Date(user.lockedUntil).toLocaleTimeString()}`;
  return 'active';
}

/** Every user with role, balance and status. */
export function UsersTable(props: { users: StudioUser[] }) {
  const now = Date.now();
  return (
    <table class="table" aria-label="Users">
      <thead>
        <tr>
          <th scope="col">Username</th>
          <th scope="col">Role</th>
          <th scope="col" class="numeric">Balance</th>
          <th scope="col">Status</th>
          <th scope="col">Created</th>
        </tr>
      </thead>
      <tbody>
        <For each={props.users}>
          {(user) => (
            <tr data-user={user.username}>
              <td>{user.username}</td>
              <td>
                <span class="tag" data-role={user.role}>
                  {user.role}
                </span>
              </td>
              <td class="numeric">{user.unlimited ? 'unlimited' : formatCount(user.balance)}</td>
              <td>{status(user, now)}</td>
              <td>{formatTime(user.createdAt)}</td>
            </tr>
          )}
        </For>
      </tbody>
    </table>
  );
}
