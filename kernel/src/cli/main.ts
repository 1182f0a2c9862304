import { KERNEL_VERSION } from '../kernel-info.ts';
import { ExitCode, exitCodeHelp } from './exit-codes.ts';
import { startCommand } from './start-command.ts';
import { validateCommand } from './validate-command.ts';

/** --help of `cyberstudio`. */
export const mainHelp = `cyberstudio ${KERNEL_VERSION}: the CyberDevStudio plugin-host kernel

Usage: cyberstudio <command> [options]

Commands:
  start                      start the kernel and its startup plugins (see: cyberstudio start --help)
  plugins validate [file]    check a plugins.json (see: cyberstudio plugins validate --help)

Options:
  -h, --help                 show help (also after any command)
  -v, --version              print the version

${exitCodeHelp}`;

/** Runs the CLI with `argv` (without node and the script) and resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'start':
        return await startCommand(rest);
      case 'plugins':
        if (rest[0] === 'validate') return await validateCommand(rest.slice(1));
        return usage(rest[0] === undefined || rest[0] === '--help' || rest[0] === '-h' ? undefined : `unknown plugins subcommand '${rest[0]}'`, pluginsHelp);
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

const pluginsHelp = `Usage: cyberstudio plugins <subcommand>

Subcommands:
  validate [file]    check a plugins.json (default: ./plugins.json)

Managing running plugins (list, start, stop, restart) goes through the gateway.

${exitCodeHelp}`;

function usage(problem: string | undefined, help: string): number {
  if (problem === undefined) {
    console.log(help);
    return ExitCode.Ok;
  }
  console.error(`cyberstudio: ${problem}\n\n${help}`);
  return ExitCode.Usage;
}
