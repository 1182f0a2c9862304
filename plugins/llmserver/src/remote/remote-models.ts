import type { RemoteConfig } from './remote-config.ts';
import { RemoteProvider } from './remote-provider.ts';

/**
 * The remote models of the config's `remote` section, as providers. Rebuilt when the section
 * changes (a live config), so a call always uses the entry in force.
 */
export class RemoteModels {
  #source: RemoteConfig | undefined;
  #providers = new Map<string, RemoteProvider>();

  /** The providers for `config`; cheap when it is the section seen last. */
  of(config: RemoteConfig): ReadonlyMap<string, RemoteProvider> {
    if (config !== this.#source) {
      this.#source = config;
      this.#providers = new Map(Object.entries(config).map(([id, entry]) => [id, new RemoteProvider(id, entry)]));
    }
    return this.#providers;
  }
}
