import { ExitCode, exitCodeHelp } from '../exit-codes.ts';
import { assertFlagsApply, definedOnly, parseInteger, takeArgs } from './account-args.ts';
import { ROLES, balanceText, describeUser, formatTime, userStatus, type BalanceRecord, type Role, type UserRecord } from './account-records.ts';
import { UsageError, reportFailure } from './client-errors.ts';
import { clientOptionsHelp, parseClientArgs, resolveClientOptions } from './client-options.ts';
import { formatJson, formatTable, writeOut } from './client-output.ts';
import { GatewayClient } from './gateway-client.ts';
import { INTERRUPTED_EXIT_CODE } from './interrupt-signal.ts';
import { PromptInterrupted, promptNewPassword, readPipedPassword } from './read-password.ts';

/** --help of `cyberstudio users`. */
export const usersHelp = `Usage: cyberstudio users <subcommand> [options]

Manages the accounts of the auth plugin (auth.users.*, auth.balance.set). Needs an admin's
API key (--key or CYBERSTUDIO_API_KEY) when the gateway has auth.

Subcommands:
  add <username> [--role <role>] [--balance <n>] [--unlimited] [--password-stdin]
                         create a user and print it (--role default: developer). With
                         --password-stdin the password is read from stdin; without it the
                         user gets no password (API keys only), unless stdin is a terminal:
                         then the password is asked for twice, without echo (empty: none)
  list                   every user: USERNAME ROLE BALANCE STATUS CREATED (--json: the array)
  set-role <username> <role>
                         change a user's role
  set-balance <username> <n> | --add <n> | --unlimited | --limited
                         set the tokens a user may still spend, add to them (--add=-500
                         takes some away), or lift (--unlimited) or restore (--limited)
                         the limit; <n> or --add combines with --unlimited or --limited
  disable <username>     refuse the user's keys and sessions from now on
  enable <username>      let a disabled (or locked) user in again
  set-password <username> [--password-stdin]
                         set a new password, from stdin or asked for on the terminal

Roles: admin (everything), developer (what the gateway's access list grants it: in the
default plugins.json the llm.* and hello.* capabilities), viewer (read-only).

There is deliberately no --password flag: a password given as an argument stays in the
shell's history and shows in the process list. Pipe it in instead, e.g.
  cyberstudio users add ada --password-stdin < ada-password.txt

${clientOptionsHelp}

${exitCodeHelp}
  130  interrupted by Ctrl-C at the password prompt (nothing was changed)`;

const USERS_OPTIONS = {
  role: { type: 'string' },
  balance: { type: 'string' },
  add: { type: 'string' },
  unlimited: { type: 'boolean' },
  limited: { type: 'boolean' },
  'password-stdin': { type: 'boolean' },
} as const;
const USERS_FLAGS = Object.keys(USERS_OPTIONS);

type UsersValues = ReturnType<typeof parseClientArgs<typeof USERS_OPTIONS>>['values'];

/** `cyberstudio users add|list|set-role|set-balance|disable|enable|set-password`; `argv` starts with the subcommand. */
export async function usersCommand(argv: string[]): Promise<number> {
  let json = argv.includes('--json');
  try {
    refusePasswordFlag(argv);
    const { values, positionals } = parseClientArgs(argv, USERS_OPTIONS);
    const [subcommand, ...args] = positionals;
    if (values.help || subcommand === undefined) {
      writeOut(`${usersHelp}\n`);
      return values.help ? ExitCode.Ok : ExitCode.Usage;
    }
    const options = resolveClientOptions(values);
    json = options.json;
    const client = new GatewayClient(options);
    const allow = (...flags: string[]) => assertFlagsApply(values, USERS_FLAGS, flags, `users ${subcommand}`);
    let outcome: Outcome;
    switch (subcommand) {
      case 'add':
        allow('role', 'balance', 'unlimited', 'password-stdin');
        outcome = await addUser(client, args, values, json);
        break;
      case 'list': {
        allow();
        takeArgs(args, [], 'cyberstudio users list');
        const users = (await client.call('auth.users.list', {})) as UserRecord[];
        outcome = { result: users, text: userTable(users) };
        break;
      }
      case 'set-role': {
        allow();
        const [user, role] = takeArgs(args, ['<username>', '<role>'], 'cyberstudio users set-role <username> <role>');
        outcome = userOutcome(await client.call('auth.users.update', { user, role: parseRole(role!) }));
        break;
      }
      case 'set-balance':
        allow('add', 'unlimited', 'limited');
        outcome = await setBalance(client, args, values);
        break;
      case 'disable':
      case 'enable': {
        allow();
        const [user] = takeArgs(args, ['<username>'], `cyberstudio users ${subcommand} <username>`);
        outcome = userOutcome(await client.call('auth.users.disable', { user, disabled: subcommand === 'disable' }));
        break;
      }
      case 'set-password': {
        allow('password-stdin');
        const [user] = takeArgs(args, ['<username>'], 'cyberstudio users set-password <username> [--password-stdin]');
        const password = await newPassword(user!, values['password-stdin'] === true, false);
        if (password === undefined) throw new UsageError('set-password needs the password on stdin (--password-stdin) or a terminal to ask on');
        outcome = userOutcome(await client.call('auth.users.update', { user, password }));
        break;
      }
      default:
        throw new UsageError(`unknown users subcommand '${subcommand}'`);
    }
    writeOut(`${json ? formatJson(outcome.result, true) : outcome.text}\n`);
    return ExitCode.Ok;
  } catch (error) {
    if (!(error instanceof PromptInterrupted)) return reportFailure(error, json, 'users');
    process.stderr.write(`cyberstudio: ${error.message}\n`);
    return INTERRUPTED_EXIT_CODE;
  }
}

/** What a subcommand prints: `result` as JSON with --json, else `text`. */
interface Outcome {
  result: unknown;
  text: string;
}

function userOutcome(user: unknown): Outcome {
  return { result: user, text: describeUser(user as UserRecord) };
}

async function addUser(client: GatewayClient, args: string[], values: UsersValues, json: boolean): Promise<Outcome> {
  const [username] = takeArgs(args, ['<username>'], 'cyberstudio users add <username> [--role <role>] [--balance <n>] [--unlimited] [--password-stdin]');
  const role = parseRole(values.role ?? 'developer');
  const balance = values.balance === undefined ? undefined : parseInteger(values.balance, '--balance', 0);
  const password = await newPassword(username!, values['password-stdin'] === true, true);
  const user = await client.call('auth.users.create', definedOnly({ username, role, balance, unlimited: values.unlimited, password }));
  if (password === undefined && !json) {
    process.stderr.write(`(no password: ${username} signs in with API keys only; create one with: cyberstudio keys create --user ${username})\n`);
  }
  return userOutcome(user);
}

async function setBalance(client: GatewayClient, args: string[], values: UsersValues): Promise<Outcome> {
  const usage = 'cyberstudio users set-balance <username> <n> | --add <n> | --unlimited | --limited';
  const [user, amount, ...extra] = args;
  if (user === undefined) throw new UsageError(`missing <username>: ${usage}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}' (${usage})`);
  if (amount !== undefined && values.add !== undefined) throw new UsageError('give either <n> (the new balance) or --add <n>, not both');
  if (values.unlimited && values.limited) throw new UsageError('--unlimited and --limited contradict each other');
  const params = definedOnly({
    user,
    balance: amount === undefined ? undefined : parseInteger(amount, 'the balance', 0),
    add: values.add === undefined ? undefined : parseInteger(values.add, '--add'),
    unlimited: values.unlimited ? true : values.limited ? false : undefined,
  });
  if (Object.keys(params).length === 1) throw new UsageError(`missing <n>, --add <n>, --unlimited or --limited: ${usage}`);
  const balance = (await client.call('auth.balance.set', params)) as BalanceRecord;
  const reserved = balance.reserved ? ` (${balance.reserved} reserved by calls in flight)` : '';
  return { result: balance, text: `${user}: balance ${balanceText(balance)}${reserved}` };
}

/** The password to send: piped on stdin, asked for on a terminal, or none (undefined). */
async function newPassword(username: string, fromStdin: boolean, optional: boolean): Promise<string | undefined> {
  if (fromStdin) return await readPipedPassword();
  if (process.stdin.isTTY !== true) return undefined;
  return await promptNewPassword(username, { optional });
}

function userTable(users: UserRecord[]): string {
  const now = Date.now();
  const rows = users.map((user) => [user.username, user.role, balanceText(user), userStatus(user, now), formatTime(user.createdAt)]);
  return formatTable(['USERNAME', 'ROLE', 'BALANCE', 'STATUS', 'CREATED'], rows);
}

function parseRole(text: string): Role {
  if (!(ROLES as readonly string[]).includes(text)) throw new UsageError(`the role must be one of ${ROLES.join(', ')}, not '${text}'`);
  return text as Role;
}

/** A password must never be an argument: refuse `--password` before parsing, without repeating its value. */
function refusePasswordFlag(argv: string[]): void {
  for (const arg of argv) {
    if (arg === '--') return;
    if (arg === '--password' || arg.startsWith('--password=')) {
      throw new UsageError('there is no --password flag: a password given as an argument stays in the shell history; use --password-stdin, or run on a terminal to be asked for it');
    }
  }
}
