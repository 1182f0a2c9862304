/** The states of a supervised plugin. */
export const PluginState = {
  Stopped: 'stopped',
  Starting: 'starting',
  Running: 'running',
  Unhealthy: 'unhealthy',
  Stopping: 'stopping',
  Backoff: 'backoff',
  Crashed: 'crashed',
  Quarantined: 'quarantined',
} as const;

/** One of the supervisor's states. */
export type PluginState = (typeof PluginState)[keyof typeof PluginState];

/** A state change, published on `kernel.plugin.state`. */
export interface StateChange {
  plugin: string;
  from: PluginState;
  to: PluginState;
  reason: string;
  time: number;
}

/** True in the states where the plugin process is up and answering calls. */
export function isServing(state: PluginState): boolean {
  return state === PluginState.Running || state === PluginState.Unhealthy;
}
