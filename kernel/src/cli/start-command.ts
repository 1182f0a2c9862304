import { parseArgs } from 'node:util';
import { LocalError, LocalErrorCode } from '@cyberstudio/sdk';
import { Kernel } from '../kernel.ts';
import { createLogger } from './create-logger.ts';
import { ExitCode, exitCodeHelp } from './exit-codes.ts';
import { watchRegistry } from './watch-registry.ts';

/** --help of `cyberstudio start`. */
export const startHelp = `Usage: cyberstudio start [--plugins plugins.json] [--data ./data] [--watch] [--log-level info]

Starts the kernel and every plugin with startup activation (dependencies first). Lazy plugins
start on the first call of one of their capabilities. Ctrl-C (SIGINT) or SIGTERM stops plugins in
reverse dependency order and exits; a second Ctrl-C kills them at once.

Options:
  --plugins <file>    the plugin registry (default: ./plugins.json)
  --data <dir>        logs, plugin data and config overrides (default: ./data)
  --watch             reload plugins.json when it changes and restart a plugin whose files change
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
      data: { type: 'string', default: 'data' },
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
    kernel = await Kernel.open({ registryFile: values.plugins!, dataDir: values.data!, logger });
  } catch (error) {
    return reportOpenError(error);
  }
  const stopped = waitForStopSignal(kernel);
  const watcher = values.watch ? watchRegistry(kernel) : undefined;
  logger.info({ registry: kernel.registry.file, dataDir: kernel.options.dataDir, plugins: kernel.registry.plugins.length }, 'kernel starting');
  await kernel.start();
  logger.info('kernel ready');
  const signal = await stopped;
  logger.info({ signal }, 'stopping plugins');
  await watcher?.close();
  await kernel.close();
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
    return ExitCode.RegistryInvalid;
  }
  console.error('cyberstudio: could not start the kernel:', error);
  return ExitCode.Failure;
}
