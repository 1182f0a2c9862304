import { ExitCode, exitCodeHelp } from '../exit-codes.ts';
import { UsageError, reportFailure } from './client-errors.ts';
import { clientOptionsHelp, parseClientArgs, resolveClientOptions } from './client-options.ts';
import { formatJson, formatTable, truncate, writeOut } from './client-output.ts';
import { GatewayClient } from './gateway-client.ts';

/** --help of `cyberstudio plugins`. */
export const pluginsHelp = `Usage: cyberstudio plugins <subcommand> [options]

Subcommands:
  list                   every plugin: NAME STATE PID RESTARTS CAPABILITIES LAST ERROR
                         (--json: the kernel.plugins.list array)
  start <name>           start a plugin (also releases a quarantined one); prints its new state
  stop <name>            stop a plugin gracefully; prints its new state
  restart <name>         stop and start a plugin; prints its new state
  validate [file]        check a plugins.json offline (see: cyberstudio plugins validate --help)

list, start, stop and restart talk to the running kernel through its gateway (POST /rpc).

${clientOptionsHelp}

${exitCodeHelp}`;

/** What kernel.plugins.list and the lifecycle capabilities answer per plugin (the fields shown here). */
interface PluginSummary {
  name: string;
  state: string;
  pid: number | null;
  restarts: number;
  lastError: string | null;
  capabilities: string[];
}

const LIFECYCLE = { start: 'kernel.plugins.start', stop: 'kernel.plugins.stop', restart: 'kernel.plugins.restart' } as const;

/** `cyberstudio plugins list|start|stop|restart`; `argv` starts with the subcommand. */
export async function pluginsCommand(argv: string[]): Promise<number> {
  let json = argv.includes('--json');
  try {
    const { values, positionals } = parseClientArgs(argv, {});
    const [subcommand, name, ...extra] = positionals;
    if (values.help || subcommand === undefined) {
      writeOut(`${pluginsHelp}\n`);
      return values.help ? ExitCode.Ok : ExitCode.Usage;
    }
    const options = resolveClientOptions(values);
    json = options.json;
    const client = new GatewayClient(options);
    if (subcommand === 'list') {
      if (name !== undefined) throw new UsageError(`unexpected argument '${name}'`);
      return await list(client, json);
    }
    if (!Object.hasOwn(LIFECYCLE, subcommand)) throw new UsageError(`unknown plugins subcommand '${subcommand}'`);
    if (name === undefined) throw new UsageError(`missing <name>: cyberstudio plugins ${subcommand} <name>`);
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
    const summary = (await client.call(LIFECYCLE[subcommand as keyof typeof LIFECYCLE], { plugin: name })) as PluginSummary;
    writeOut(json ? `${formatJson(summary, true)}\n` : `${summary.name}: ${describeState(summary)}\n`);
    return ExitCode.Ok;
  } catch (error) {
    return reportFailure(error, json, 'plugins');
  }
}

async function list(client: GatewayClient, json: boolean): Promise<number> {
  const plugins = (await client.call('kernel.plugins.list', {})) as PluginSummary[];
  if (json) {
    writeOut(`${formatJson(plugins, true)}\n`);
    return ExitCode.Ok;
  }
  const rows = plugins.map((plugin) => [
    plugin.name,
    plugin.state,
    plugin.pid === null ? '-' : String(plugin.pid),
    String(plugin.restarts),
    capabilityCell(plugin.capabilities),
    plugin.lastError === null ? '-' : truncate(plugin.lastError, 80),
  ]);
  writeOut(`${formatTable(['NAME', 'STATE', 'PID', 'RESTARTS', 'CAPABILITIES', 'LAST ERROR'], rows)}\n`);
  return ExitCode.Ok;
}

/** The capability names, cut short with a count of the rest so one plugin stays one line. */
function capabilityCell(capabilities: string[]): string {
  if (capabilities.length === 0) return '-';
  const shown: string[] = [];
  for (const name of capabilities) {
    if (shown.length > 0 && [...shown, name].join(', ').length > 40) break;
    shown.push(name);
  }
  const rest = capabilities.length - shown.length;
  return rest === 0 ? shown.join(', ') : `${shown.join(', ')} (+${rest})`;
}

function describeState(summary: PluginSummary): string {
  const details = [summary.pid === null ? undefined : `pid ${summary.pid}`, summary.lastError === null ? undefined : `last error: ${summary.lastError}`];
  const shown = details.filter((detail) => detail !== undefined);
  return shown.length === 0 ? summary.state : `${summary.state} (${shown.join(', ')})`;
}
