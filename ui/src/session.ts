import { createSignal } from 'solid-js';
import { BusError, ErrorCode } from '@cyberstudio/sdk';
import { describeError, login, logout, whoAmI, type WhoAmI } from './api.ts';
import { KernelClient } from './kernel-client.ts';
import { primaryRole, type Role } from './roles.ts';

/** Who uses the studio. `signedIn` is false for the local operator of a kernel without sign-in (no gateway.auth). */
export interface SessionUser {
  id: string;
  name: string;
  role: Role;
  roles: string[];
  signedIn: boolean;
}

/** The session: being checked, kernel unreachable, signed out (with a notice to show), or signed in with its socket. */
export type SessionState =
  | { status: 'checking' }
  | { status: 'unreachable'; message: string }
  | { status: 'signed-out'; notice?: string }
  | { status: 'signed-in'; user: SessionUser; client: KernelClient };

/** The gateway's caller for requests without any credential when gateway.auth is off. */
const LOCAL_OPERATOR_ID = 'local-operator';

const [session, setSession] = createSignal<SessionState>({ status: 'checking' });
let probing = false;

/** The session signal the whole app renders from. */
export { session };

/** Finds out whether the browser's cookie is a live session; call at start and from "try again". */
export async function restoreSession(): Promise<void> {
  setSession({ status: 'checking' });
  try {
    open(await whoAmI());
  } catch (error) {
    if (error instanceof BusError && error.code === ErrorCode.Unauthenticated) setSession({ status: 'signed-out' });
    else setSession({ status: 'unreachable', message: describeError(error) });
  }
}

/** Signs in with a password; rejects with the auth plugin's error (wrong password, locked, ...) for the form to show. */
export async function signIn(username: string, password: string): Promise<void> {
  await login(username, password);
  // The socket must open after the cookie is set: the gateway reads the caller at the upgrade.
  open(await whoAmI());
}

/**
 * Ends the session on the kernel, then here; `notice` is shown on the sign-in page. The kernel
 * goes first because only its answer clears the (HttpOnly) cookie: a page that showed the
 * sign-in form before that could be reloaded, or closed, with the session still valid.
 */
export async function signOut(notice = 'You are signed out.'): Promise<void> {
  const failure = await logout().then(
    () => undefined,
    // Unauthenticated: the session had ended already, which is what signing out wants.
    (error: unknown) => (error instanceof BusError && error.code === ErrorCode.Unauthenticated ? undefined : describeError(error)),
  );
  const current = session();
  if (current.status === 'signed-in') current.client.close();
  setSession({ status: 'signed-out', notice: failure === undefined ? notice : `${notice} The kernel did not end the session (${failure}), so a reload may find this browser still signed in.` });
}

function open(caller: WhoAmI): void {
  const previous = session();
  if (previous.status === 'signed-in') previous.client.close();
  const client = new KernelClient(socketUrl());
  const user: SessionUser = {
    id: caller.id,
    name: caller.name ?? caller.id,
    role: primaryRole(caller.roles),
    roles: caller.roles,
    signedIn: caller.id !== LOCAL_OPERATOR_ID,
  };
  client.onAuthLost(() => expire(client));
  // A failed reconnect looks the same whether the kernel is down or the cookie expired; ask over HTTP.
  client.onDisconnect(() => void probe(client));
  setSession({ status: 'signed-in', user, client });
}

function expire(client: KernelClient): void {
  const current = session();
  if (current.status !== 'signed-in' || current.client !== client) return;
  client.close();
  setSession({ status: 'signed-out', notice: 'Your session has ended. Sign in again.' });
}

async function probe(client: KernelClient): Promise<void> {
  if (probing) return;
  probing = true;
  try {
    await whoAmI();
  } catch (error) {
    if (error instanceof BusError && error.code === ErrorCode.Unauthenticated) expire(client);
  } finally {
    probing = false;
  }
}

function socketUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}
