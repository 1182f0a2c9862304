import { Show, createSignal } from 'solid-js';
import { signOut, type SessionUser } from '../session.ts';

/** Who is signed in, with which role, and the sign-out button. */
export function UserMenu(props: { user: SessionUser }) {
  const [leaving, setLeaving] = createSignal(false);
  const leave = async () => {
    setLeaving(true);
    try {
      await signOut();
    } finally {
      setLeaving(false);
    }
  };
  return (
    <div class="user-menu">
      <span class="user-name" data-testid="user-name">
        {props.user.name}
      </span>
      <span class="tag" data-role={props.user.role} data-testid="user-role">
        {props.user.role}
      </span>
      <Show when={props.user.signedIn} fallback={<span class="muted" title="The gateway has no identity provider (gateway.auth)">local operator</span>}>
        <button type="button" class="button" disabled={leaving()} onClick={() => void leave()}>
          {leaving() ? 'Signing out…' : 'Sign out'}
        </button>
      </Show>
    </div>
  );
}
