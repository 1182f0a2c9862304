import { fixture, shippedPlugin } from './test-kernel.ts';

/** Every capability the echo fixture (tests/fixtures/echo/main.ts) declares in its handshake. */
export const ECHO_CAPABILITIES = [
  'echo.echo', 'echo.slow', 'echo.aborts', 'echo.stream', 'echo.call', 'echo.emit', 'echo.subscribe',
  'echo.unsubscribe', 'echo.events', 'echo.log', 'echo.fail', 'echo.whoami', 'echo.config', 'echo.pid',
];

/** A startup manifest named 'echo' for the echo fixture with ECHO_CAPABILITIES; `overrides` are spread last. */
export function echoPlugin(overrides: object = {}): object {
  return { name: 'echo', entrypoint: fixture('echo/main.ts'), activation: 'startup', capabilities: ECHO_CAPABILITIES, ...overrides };
}

/** The lazy manifest of the repository's hello plugin (plugins/hello) with hello.echo and hello.stream. */
export const helloPlugin = {
  name: 'hello',
  entrypoint: shippedPlugin('hello'),
  activation: 'lazy',
  capabilities: ['hello.echo', 'hello.stream'],
};
