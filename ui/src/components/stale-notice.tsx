import { Show } from 'solid-js';
import type { KernelClient } from '../kernel-client.ts';

/** Says, while the socket is down, that what the page shows dates from `updatedAt` (epoch ms) and may be out of date. */
export function StaleNotice(props: { client: KernelClient; updatedAt: number | undefined; what: string }) {
  const stale = () => props.client.state().status !== 'connected' && props.updatedAt !== undefined;
  return (
    <Show when={stale()}>
      <p class="notice warning" role="status">
        Not connected to the kernel: {props.what} from {new Date(props.updatedAt!).toLocaleTimeString()} and may be out of date.
      </p>
    </Show>
  );
}
