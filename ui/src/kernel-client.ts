import { createSignal, type Accessor } from 'solid-js';
import { ReconnectingClient, type ConnectionState } from '@cyberstudio/sdk/client';

export type { ConnectionState, GatewayRequestOptions as CallOptions, Subscription, TopicEvent, TopicFilter } from '@cyberstudio/sdk/client';

/**
 * The studio's connection to the kernel: the SDK's reconnecting gateway client on the browser's
 * WebSocket, with its state as a Solid signal and the browser's online and offline events.
 */
export class KernelClient extends ReconnectingClient {
  /** The connection state, for the always-visible badge. */
  readonly state: Accessor<ConnectionState>;
  readonly #onOnline = () => this.reconnectNow();
  readonly #onOffline = () => this.disconnect();

  /** Opens `url` (ws:// or wss://) at once. */
  constructor(url: string) {
    const [state, setState] = createSignal<ConnectionState>({ status: 'connecting' });
    super({ connect: () => new WebSocket(url), isOnline: () => navigator.onLine });
    this.state = state;
    setState(this.connectionState);
    this.onStateChange(setState);
    window.addEventListener('online', this.#onOnline);
    window.addEventListener('offline', this.#onOffline);
  }

  /** Closes the socket for good; pending calls fail with ConnectionClosed. Safe to call twice. */
  override close(): Promise<void> {
    window.removeEventListener('online', this.#onOnline);
    window.removeEventListener('offline', this.#onOffline);
    return super.close();
  }
}
