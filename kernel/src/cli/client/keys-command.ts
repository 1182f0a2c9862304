import { ExitCode, exitCodeHelp } from '../exit-codes.ts';
import { assertFlagsApply, definedOnly, parseInteger, parseList, takeArgs } from './account-args.ts';
import { formatTime, keyStatus, type CreatedKey, type KeyRecord } from './account-records.ts';
import { ClientError, UsageError, reportFailure } from './client-errors.ts';
import { clientOptionsHelp, parseClientArgs, resolveClientOptions } from './client-options.ts';
import { formatJson, formatTable, writeOut } from './client-output.ts';
import { GatewayClient } from './gateway-client.ts';

/** The name of a key created without --name. */
export const DEFAULT_KEY_NAME = 'cli';

/** --help of `cyberstudio keys`. */
export const keysHelp = `Usage: cyberstudio keys <subcommand> [options]

Manages API keys (auth.keys.*): admins anyone's, other users their own.

Subcommands:
  create [--user <name>] [--name <name>] [--expires <30d | ISO date>] [--models <a,b>]
         [--capabilities <patterns>] [--rpm <n>] [--tpm <n>] [-q]
                         create a key and print ONLY the key and a newline on stdout, so
                         KEY=$(cyberstudio keys create --user ada) works; one line with its
                         id, prefix and expiry goes to stderr (not with --quiet). The key is
                         shown this once: the server keeps only its hash. With --json the
                         whole creation result (key included) prints as JSON instead.
  list [--user <name>]   ID PREFIX NAME USER CREATED EXPIRES LAST USED STATUS (--json: the array)
  revoke <id>            revoke a key; requests with it fail from then on

Options of create:
  --user <name>          whose key it is (default: yourself, the owner of --key)
  --name <name>          a label shown in lists (default: ${DEFAULT_KEY_NAME})
  --expires <when>       days from now (30d), or an ISO date/time (2026-01-31, which is
                         midnight UTC; 2026-01-31T18:00 is local time); default: never
  --models <a,b>         the models the key may use (default: any)
  --capabilities <list>  capability patterns the key may call, e.g. 'llm.*,hello.echo'
                         (default: whatever the user's role allows)
  --rpm <n>, --tpm <n>   requests and tokens per minute allowed with this key
  -q, --quiet            print nothing on stderr, only the key on stdout

${clientOptionsHelp}

${exitCodeHelp}`;

const KEYS_OPTIONS = {
  user: { type: 'string' },
  name: { type: 'string' },
  expires: { type: 'string' },
  models: { type: 'string' },
  capabilities: { type: 'string' },
  rpm: { type: 'string' },
  tpm: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
} as const;
const KEYS_FLAGS = Object.keys(KEYS_OPTIONS);

type KeysValues = ReturnType<typeof parseClientArgs<typeof KEYS_OPTIONS>>['values'];

/** `cyberstudio keys create|list|revoke`; `argv` starts with the subcommand. */
export async function keysCommand(argv: string[]): Promise<number> {
  let json = argv.includes('--json');
  try {
    const { values, positionals } = parseClientArgs(argv, KEYS_OPTIONS);
    const [subcommand, ...args] = positionals;
    if (values.help || subcommand === undefined) {
      writeOut(`${keysHelp}\n`);
      return values.help ? ExitCode.Ok : ExitCode.Usage;
    }
    const options = resolveClientOptions(values);
    json = options.json;
    const client = new GatewayClient(options);
    const allow = (...flags: string[]) => assertFlagsApply(values, KEYS_FLAGS, flags, `keys ${subcommand}`);
    switch (subcommand) {
      case 'create':
        allow('user', 'name', 'expires', 'models', 'capabilities', 'rpm', 'tpm', 'quiet');
        takeArgs(args, [], 'cyberstudio keys create [--user <name>] [options]');
        return await createKey(client, values, json);
      case 'list': {
        allow('user');
        takeArgs(args, [], 'cyberstudio keys list [--user <name>]');
        const keys = (await client.call('auth.keys.list', definedOnly({ user: values.user }))) as KeyRecord[];
        writeOut(`${json ? formatJson(keys, true) : keyTable(keys, values.user)}\n`);
        return ExitCode.Ok;
      }
      case 'revoke': {
        allow();
        const [id] = takeArgs(args, ['<id>'], 'cyberstudio keys revoke <id>');
        const key = (await client.call('auth.keys.revoke', { id })) as KeyRecord;
        writeOut(`${json ? formatJson(key, true) : `revoked key ${key.id} (${key.prefix})`}\n`);
        return ExitCode.Ok;
      }
      default:
        throw new UsageError(`unknown keys subcommand '${subcommand}'`);
    }
  } catch (error) {
    return reportFailure(error, json, 'keys');
  }
}

/** Prints the new key alone on stdout (or the whole result with --json); its details go to stderr. */
async function createKey(client: GatewayClient, values: KeysValues, json: boolean): Promise<number> {
  const params = definedOnly({
    user: values.user,
    name: values.name ?? DEFAULT_KEY_NAME,
    ...(values.expires === undefined ? {} : parseExpires(values.expires)),
    allowedModels: values.models === undefined ? undefined : parseList(values.models, '--models'),
    allowedCapabilities: values.capabilities === undefined ? undefined : parseList(values.capabilities, '--capabilities'),
    rpm: values.rpm === undefined ? undefined : parseInteger(values.rpm, '--rpm', 1),
    tpm: values.tpm === undefined ? undefined : parseInteger(values.tpm, '--tpm', 1),
  });
  const created = (await client.call('auth.keys.create', params)) as CreatedKey;
  if (json) {
    writeOut(`${formatJson(created, true)}\n`);
    return ExitCode.Ok;
  }
  if (typeof created?.key !== 'string') throw new ClientError(ExitCode.Failure, 'auth.keys.create answered without a key');
  writeOut(`${created.key}\n`);
  if (!values.quiet) {
    const expiry = created.expiresAt === null || created.expiresAt === undefined ? 'never expires' : `expires ${formatTime(created.expiresAt)}`;
    process.stderr.write(`created key ${created.id} (${created.prefix}) for ${values.user ?? created.userId}, ${expiry}\n`);
  }
  return ExitCode.Ok;
}

/**
 * `--expires` as auth.keys.create params: `30d` is expiresInDays, an ISO date/time is
 * expiresAt (epoch ms, in the future). Throws UsageError for anything else.
 */
export function parseExpires(text: string, now: number = Date.now()): { expiresInDays: number } | { expiresAt: number } {
  const value = text.trim();
  const days = /^(\d+)d$/.exec(value);
  if (days) return { expiresInDays: parseInteger(days[1]!, '--expires (days)', 1) };
  const time = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(time)) throw new UsageError(`--expires must be a number of days (30d) or an ISO date (2026-01-31), not '${text}'`);
  if (time <= now) throw new UsageError(`--expires ${text} is in the past`);
  return { expiresAt: time };
}

/** The USER column shows the owner's username when the answer has it (or --user named it), else the owner's id. */
function keyTable(keys: KeyRecord[], user: string | undefined): string {
  const now = Date.now();
  const rows = keys.map((key) => [
    key.id,
    key.prefix,
    key.name,
    key.username ?? user ?? key.userId,
    formatTime(key.createdAt),
    formatTime(key.expiresAt, 'never'),
    formatTime(key.lastUsedAt, 'never'),
    keyStatus(key, now),
  ]);
  return formatTable(['ID', 'PREFIX', 'NAME', 'USER', 'CREATED', 'EXPIRES', 'LAST USED', 'STATUS'], rows);
}
