import { fixture } from '../../integration/support/test-kernel.ts';

/** The capabilities the web fixture (tests/fixtures/web-plugin/main.ts) registered as `name` provides. */
export function webCapabilities(name: string): string[] {
  return [`${name}.echo`, `${name}.respond`, `${name}.stream`, `${name}.aborts`];
}

/** A startup manifest for the web fixture, named `name` (default 'web'); `overrides` are spread last. */
export function webPlugin(overrides: { name?: string } & Record<string, unknown> = {}): object {
  const name = overrides.name ?? 'web';
  return { name, entrypoint: fixture('web-plugin/main.ts'), activation: 'startup', capabilities: webCapabilities(name), ...overrides };
}
