import { KERNEL_VERSION } from '../kernel-info.ts';
import { ExitCode, exitCodeHelp } from './exit-codes.ts';

/** --help of `cyberstudio`. */
export const mainHelp = `cyberstudio ${KERNEL_VERSION}: the CyberDevStudio plugin-host kernel

Usage: cyberstudio <command> [options]

Commands:
  start                      start the kernel and its startup plugins (see: cyberstudio start --help)
  plugins validate [file]    check a plugins.json (see: cyberstudio plugins validate --help)

Commands for a running kernel (through its gateway; --url, --key, --json on each):
  call <capability> [json]   call a capability, streaming its progress (see: cyberstudio call --help)
  plugins list               every plugin with its state, pid, restarts and last error
  plugins start|stop|restart <name>
                             change a plugin's state (see: cyberstudio plugins --help)
  logs [plugin] [-f]         print (and follow) plugin logs (see: cyberstudio logs --help)
  users add|list|set-role|set-balance|disable|enable|set-password
                             manage the auth plugin's users (see: cyberstudio users --help)
  keys create|list|revoke    manage API keys (see: cyberstudio keys --help)

Options:
  -h, --help                 show help (also after any command)
  -v, --version              print the version

${exitCodeHelp}`;

/**
 * Runs the CLI with `argv` (without node and the script) and resolves with the exit code.
 * Each command's module loads only when it runs: `start` never loads the client, and the
 * client commands never load the kernel.
 */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'start':
        return await (await import('./start-command.ts')).startCommand(rest);
      case 'plugins':
        if (rest[0] === 'validate') return await (await import('./validate-command.ts')).validateCommand(rest.slice(1));
        return await (await import('./client/plugins-command.ts')).pluginsCommand(rest);
      case 'call':
        return await (await import('./client/call-command.ts')).callCommand(rest);
      case 'logs':
        return await (await import('./client/logs-command.ts')).logsCommand(rest);
      case 'users':
        return await (await import('./client/users-command.ts')).usersCommand(rest);
      case 'keys':
        return await (await import('./client/keys-command.ts')).keysCommand(rest);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        console.log(mainHelp);
        return command === undefined ? ExitCode.Usage : ExitCode.Ok;
      case '-v':
      case '--version':
        console.log(KERNEL_VERSION);
        return ExitCode.Ok;
      default:
        return usage(`unknown command '${command}'`, mainHelp);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) return usage((error as Error).message, mainHelp);
    console.error('cyberstudio:', error);
    return ExitCode.Failure;
  }
}

function usage(problem: string, help: string): number {
  console.error(`cyberstudio: ${problem}\n\n${help}`);
  return ExitCode.Usage;
}
