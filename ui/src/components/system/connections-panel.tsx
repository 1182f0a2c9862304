import { For, Show } from 'solid-js';
import { formatTime } from '../../format.ts';
import type { GatewayConnection, SystemStatus } from '../../system-types.ts';
import { EmptyState } from '../empty-state.tsx';
import { ErrorMessage } from '../error-message.tsx';

/** One user's open sockets, summed. */
interface UserSockets {
  userId: string;
  name: string;
  roles: string[];
  rpc: number;
  streams: number;
  via: string;
  since: number;
}

/** `kernel.connections` summed per user, longest connected first. */
export function socketsPerUser(connections: readonly GatewayConnection[]): UserSockets[] {
  const users = new Map<string, UserSockets>();
  for (const connection of connections) {
    let entry = users.get(connection.userId);
    if (!entry) {
      entry = { userId: connection.userId, name: connection.name ?? connection.userId, roles: connection.roles, rpc: 0, streams: 0, via: '', since: connection.openedAt };
      users.set(connection.userId, entry);
    }
    if (connection.endpoint === '/ws') entry.rpc += 1;
    else entry.streams += 1;
    entry.since = Math.min(entry.since, connection.openedAt);
    const via = connection.sessionId !== null ? 'session' : connection.keyId !== null ? 'API key' : 'no sign-in';
    if (!entry.via.split(', ').includes(via)) entry.via = entry.via === '' ? via : `${entry.via}, ${via}`;
  }
  return [...users.values()].sort((a, b) => a.since - b.since);
}

/** The gateway's open WebSockets: the counts from `kernel.status`, and who holds them from `kernel.connections`. */
export function ConnectionsPanel(props: { status: SystemStatus | undefined; connections: GatewayConnection[] | undefined; error: unknown }) {
  const count = (endpoint: string) => props.status?.webSockets.byEndpoint[endpoint] ?? 0;
  return (
    <section class="card system-card" aria-labelledby="system-sockets-title">
      <h2 id="system-sockets-title">Open WebSockets</h2>
      <Show when={props.status}>
        <p data-testid="socket-counts">
          <strong>{props.status!.webSockets.open}</strong> open: {count('/ws')} on /ws (the studio and other JSON-RPC clients), {count('/ws/plugins')} on /ws/plugins (log and
          telemetry streams).
        </p>
      </Show>
      <ErrorMessage error={props.error} prefix="Could not list the connections:" />
      <Show when={props.connections}>
        {(connections) => (
          <Show when={connections().length > 0} fallback={<EmptyState title="No WebSocket is open." />}>
            <table class="table" aria-label="WebSockets per user">
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Role</th>
                  <th scope="col">Signed in with</th>
                  <th scope="col" class="numeric">/ws</th>
                  <th scope="col" class="numeric">/ws/plugins</th>
                  <th scope="col">Connected since</th>
                </tr>
              </thead>
              <tbody>
                <For each={socketsPerUser(connections())}>
                  {(user) => (
                    <tr data-socket-user={user.name}>
                      <td>{user.name}</td>
                      <td>
                        <For each={user.roles}>
                          {(role) => (
                            <span class="tag" data-role={role}>
                              {role}
                            </span>
                          )}
                        </For>
                      </td>
                      <td>{user.via}</td>
                      <td class="numeric">{user.rpc}</td>
                      <td class="numeric">{user.streams}</td>
                      <td>{formatTime(user.since)}</td>
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
