import type { PluginLogger, PluginServices } from '@cyberstudio/sdk';
import type { Reservations } from './reservations.ts';

/** The kernel's lifecycle topic (docs/protocol.md, section 7.4). */
const PLUGIN_STATE_TOPIC = 'kernel.plugin.state';

/** States a plugin enters only once its process is gone (or never started). */
const PROCESS_GONE = new Set(['stopped', 'crashed', 'backoff', 'quarantined']);

/** The part of a `kernel.plugin.state` event this watch reads. */
interface PluginStateEvent {
  plugin?: unknown;
  to?: unknown;
  time?: unknown;
}

/**
 * Subscribes to `kernel.plugin.state` and, when a plugin's process is gone (killed, crashed,
 * stopped), settles every open reservation that plugin made until then: its delivered tokens
 * are charged and the rest given back at once, instead of all of it at expiry. Resolves with
 * the unsubscribe function once the kernel accepted the subscription.
 */
export async function watchReservationHolders(services: Pick<PluginServices, 'subscribe'>, reservations: Reservations, log: PluginLogger): Promise<() => Promise<void>> {
  return services.subscribe(PLUGIN_STATE_TOPIC, (data) => {
    const event = (data ?? {}) as PluginStateEvent;
    if (typeof event.plugin !== 'string' || typeof event.to !== 'string' || !PROCESS_GONE.has(event.to)) return;
    const holder = event.plugin;
    const until = typeof event.time === 'number' ? event.time : Date.now();
    reservations.settleHolder(holder, until).then(
      ({ committed, released }) => {
        if (committed + released > 0) log.info({ holder, state: event.to, committed, released }, "settled the open reservations of a plugin whose process is gone: delivered tokens charged, the rest given back");
      },
      (error: unknown) => log.warn({ holder, error: error instanceof Error ? error.message : String(error) }, "could not settle a gone plugin's reservations; they are given back when they expire"),
    );
  });
}
