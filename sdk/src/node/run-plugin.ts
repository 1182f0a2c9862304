import { Console } from 'node:console';
import { ErrorCode } from '../protocol/error-codes.ts';
import { PLUGIN_COOKIE_ENV, PLUGIN_COOKIE_VALUE } from '../protocol/protocol-constants.ts';
import type { PluginDefinition } from '../plugin/define-plugin.ts';
import { PluginServer } from '../plugin/plugin-server.ts';
import { StreamTransport } from './stream-transport.ts';

/** Printed when a plugin is run by hand: it explains instead of waiting silently for JSON. */
export function notLaunchedByKernelMessage(name: string): string {
  return [
    `'${name}' is a CyberDevStudio plugin. It speaks JSON-RPC 2.0 on stdin/stdout and is started by the kernel, not by hand.`,
    `To run it, add it to plugins.json and start the kernel: npx cyberstudio start`,
    `(The kernel sets ${PLUGIN_COOKIE_ENV}; it is missing or wrong in this environment.)`,
    '',
  ].join('\n');
}

/**
 * Runs a plugin definition on this process's stdin/stdout. Exits 1 with an explanation when not
 * launched by a kernel, and exits 0 once stdin reaches end of file, so no plugin outlives its kernel.
 */
export function runPlugin(definition: PluginDefinition): PluginServer | undefined {
  if (process.env[PLUGIN_COOKIE_ENV] !== PLUGIN_COOKIE_VALUE) {
    process.stderr.write(notLaunchedByKernelMessage(definition.name));
    process.exitCode = 1;
    return undefined;
  }
  // stdout carries protocol only: a stray console.log or console.dir would corrupt it, so all console output goes to stderr.
  globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr });
  process.stdout.on('error', () => {});
  // Ctrl-C in the kernel's terminal reaches every process of its group: the kernel stops its
  // plugins in order (shutdown, then stdin EOF), so a plugin must not die of the SIGINT itself.
  process.on('SIGINT', () => {});
  const server = new PluginServer(definition, new StreamTransport(process.stdin, process.stdout));
  server.start();
  // Exit 0 at stdin EOF; exit 1 after refusing the handshake (the kernel would kill us anyway).
  void server.closed.then((error) => process.exit(error.code === ErrorCode.ConnectionClosed ? 0 : 1));
  return server;
}
