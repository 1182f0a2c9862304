import { parseArgs } from 'node:util';
import { LocalError, LocalErrorCode } from '@cyberstudio/sdk';
import { Gateway, resolveGatewaySettings } from '../gateway/index.ts';
import { Kernel } from '../kernel.ts';
import { createLogger } from './create-logger.ts';
import { ExitCode, exitCodeHelp } from './exit-codes.ts';

/** --help of `cyberstudio start`. */
export const startHelp = `Usage: cyberstudio start [--plugins plugins.json] [--data ./data] [--host 127.0.0.1] [--port 6813] [--watch]

Starts the kernel, its gateway (HTTP + WebSocket on one port) and every plugin with startup
activation (in parallel, each after its dependencies). Lazy plugins start on the first call of
one of their capabilities. Ctrl-C (SIGINT) or SIGTERM stops plugins (in parallel, each after the
plugins that depend on it) and exits; a second Ctrl-C kills them at once.

Options:
  --plugins <file>    the plugin registry (default: ./plugins.json)
  --data <dir>        logs, plugin data and config overrides (default: env CYBERSTUDIO_DATA, else ./data)
  --host <address>    gateway address (default: gateway.host in plugins.json, else 127.0.0.1;
                      env CYBERSTUDIO_HOST). Without gateway.auth only loopback is allowed.
  --port <n>          gateway port, 0 for any free one (default: gateway.port, else 6813;
                      env CYBERSTUDIO_PORT)
  --watch             reload plugins.json when it changes and restart a plugin whose files change;
                      in a source checkout, also rebuild the runtime when a source file changes
  --log-level <lvl>   trace | debug | info | warn | error (default: info)
  --json              log JSON lines even on a terminal
  -h, --help          show this help

${exitCodeHelp}`;

/** Runs the kernel until SIGINT/SIGTERM; resolves with the exit code. */
export async function startCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      plugins: { type: 'string', default: 'plugins.json' },
      data: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      watch: { type: 'boolean', default: false },
      'log-level': { type: 'string', default: 'info' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(startHelp);
    return ExitCode.Ok;
  }
  const logger = createLogger({ level: values['log-level'], pretty: values.json ? false : undefined });
  let kernel: Kernel;
  try {
    kernel = await Kernel.open({ registryFile: values.plugins!, dataDir: values.data ?? (process.env.CYBERSTUDIO_DATA?.trim() || 'data'), logger });
  } catch (error) {
    return reportOpenError(error);
  }
  let gateway: Gateway;
  try {
    const settings = resolveGatewaySettings(kernel.registry.gateway, { host: values.host, port: values.port });
    gateway = await Gateway.listen({ kernel, settings, logger });
  } catch (error) {
    await kernel.close();
    return reportOpenError(error);
  }
  if (!gateway.context.identity.enabled) {
    logger.warn('no gateway.auth in plugins.json: every request from this machine acts as the admin, so the gateway listens on loopback only');
  }
  logger.info({ url: gateway.url }, `gateway listening on ${gateway.url}`);
  const stopped = waitForStopSignal(kernel);
  // Loaded only with --watch: chokidar and its watchers cost an unwatched kernel memory for nothing.
  const watcher = values.watch ? (await import('./watch-registry.ts')).watchRegistry(kernel) : undefined;
  const rebuilder = values.watch ? (await import('./watch-build.ts')).watchBuild(logger) : undefined;
  logger.info({ registry: kernel.registry.file, dataDir: kernel.options.dataDir, plugins: kernel.registry.plugins.length }, 'kernel starting');
  // A stop signal during the start ends it: the stop cancels plugins still starting instead of waiting for them.
  let stopRequested = false;
  const ready = kernel.start().then(() => {
    if (!stopRequested) logger.info({ url: gateway.url }, 'kernel ready');
  });
  const signal = await Promise.race([ready.then(() => stopped), stopped]);
  stopRequested = true;
  logger.info({ signal }, 'stopping plugins');
  await watcher?.close();
  await rebuilder?.close();
  await Promise.all([gateway.close(), kernel.close()]);
  logger.info('kernel stopped');
  logger.flush?.();
  return ExitCode.Ok;
}

/** Resolves on the first SIGINT/SIGTERM; a second one exits at once (execa's cleanup kills the children). */
function waitForStopSignal(kernel: Kernel): Promise<string> {
  // The kernel may have no running child to keep the event loop alive (all plugins lazy).
  const keepAlive = setInterval(() => {}, 1 << 30);
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: string) => {
      if (stopping) {
        kernel.logger.warn('second signal: exiting without waiting for plugins');
        process.exit(ExitCode.Failure);
      }
      stopping = true;
      clearInterval(keepAlive);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

function reportOpenError(error: unknown): number {
  if (error instanceof LocalError) {
    console.error(`cyberstudio: ${error.message}`);
    if (error.code === LocalErrorCode.DataDirUnavailable) return ExitCode.DataDirUnavailable;
    if (error.code === LocalErrorCode.GatewayListenFailed || error.code === LocalErrorCode.GatewayInsecureBind) return ExitCode.GatewayUnavailable;
    return ExitCode.RegistryInvalid;
  }
  console.error('cyberstudio: could not start the kernel:', error);
  return ExitCode.Failure;
}
