import { readFile, rename, writeFile } from 'node:fs/promises';

/**
 * Plugin configs set at run time (`kernel.plugins.setConfig`), persisted as one JSON file in the
 * data directory so they survive a kernel restart. They take precedence over plugins.json.
 */
export class ConfigOverrides {
  readonly #file: string;
  readonly #configs: Map<string, Record<string, unknown>>;

  private constructor(file: string, configs: Map<string, Record<string, unknown>>) {
    this.#file = file;
    this.#configs = configs;
  }

  /** Loads `file`, or starts empty when it does not exist. */
  static async open(file: string): Promise<ConfigOverrides> {
    try {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as Record<string, Record<string, unknown>>;
      return new ConfigOverrides(file, new Map(Object.entries(parsed)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new ConfigOverrides(file, new Map());
      throw error;
    }
  }

  /** The override for `plugin`, if one was set. */
  get(plugin: string): Record<string, unknown> | undefined {
    return this.#configs.get(plugin);
  }

  /** Sets and persists `plugin`'s config (written to a temp file, then renamed, so a crash loses nothing). */
  async set(plugin: string, config: Record<string, unknown>): Promise<void> {
    this.#configs.set(plugin, config);
    const temp = `${this.#file}.tmp`;
    await writeFile(temp, JSON.stringify(Object.fromEntries(this.#configs), null, 2));
    await rename(temp, this.#file);
  }
}
