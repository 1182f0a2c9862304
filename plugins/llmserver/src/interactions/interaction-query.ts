import { sql, type Kysely } from '@cyberstudio/database';
import { viewOf } from './interaction-row.ts';
import type { InteractionFilter, InteractionPage, InteractionTables, InteractionView } from './interaction-types.ts';

/** Page sizes of InteractionLog.list(), in one place. */
export const InteractionPaging = {
  defaultLimit: 50,
  maxLimit: 500,
} as const;

/** The shape of a cursor: `<createdAt>.<id>` of the last item of a page. Opaque to callers. */
export const CURSOR_PATTERN = '^[0-9]{1,16}\\.[0-9]{1,16}$';

const cursorPattern = new RegExp(CURSOR_PATTERN);

/** Where a page ended: entries strictly older than this (by time, then id) come next. */
interface Cursor {
  createdAt: number;
  id: number;
}

/** The cursor naming `item` as the last one seen. */
export function cursorOf(item: Pick<InteractionView, 'createdAt' | 'id'>): string {
  return `${item.createdAt}.${item.id}`;
}

/** True when `text` is a cursor this log could have handed out. */
export function isCursor(text: string): boolean {
  return cursorPattern.test(text);
}

/** Every column but the two content ones, which a page without content leaves out. */
const metadataColumns = [
  'id', 'created_at', 'capability', 'model', 'user_id', 'user_name', 'key_id', 'caller_kind', 'caller_plugin', 'trace_id',
  'truncated', 'finish_reason', 'status', 'error_code', 'error_message', 'prompt_tokens', 'completion_tokens', 'cost',
  'latency_ms', 'ttft_ms', 'stream',
] as const;

/**
 * One page of entries matching `filter`, newest first (by created_at, then id). Keyset paging:
 * a page is the same whether or not entries were added since the first one. Throws a TypeError
 * for a malformed `before` (the capability's schema refuses it first).
 */
export async function listInteractions(db: Kysely<InteractionTables>, filter: InteractionFilter): Promise<InteractionPage> {
  const limit = Math.min(Math.max(1, Math.trunc(filter.limit ?? InteractionPaging.defaultLimit)), InteractionPaging.maxLimit);
  const withContent = filter.content !== false;
  const content = (column: 'prompt' | 'response') => (withContent ? sql<string | null>`${sql.ref(column)}` : sql<string | null>`NULL`).as(column);
  let query = db.selectFrom('interactions').select(metadataColumns).select([content('prompt'), content('response')]);
  if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
  if (filter.user !== undefined) {
    const user = filter.user;
    query = query.where((eb) => eb.or([eb('user_id', '=', user), eb('user_name', '=', user)]));
  }
  if (filter.model !== undefined) query = query.where('model', '=', filter.model);
  if (filter.capability !== undefined) query = query.where('capability', '=', filter.capability);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.since !== undefined) query = query.where('created_at', '>=', filter.since);
  if (filter.until !== undefined) query = query.where('created_at', '<=', filter.until);
  if (filter.before !== undefined) {
    const { createdAt, id } = parseCursor(filter.before);
    query = query.where((eb) => eb.or([eb('created_at', '<', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)])]));
  }
  // One row more than the page says whether another page follows.
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
  const items = rows.slice(0, limit).map(viewOf);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}

/** The entry with `id`, or undefined when there is none (never recorded, or pruned). */
export async function getInteraction(db: Kysely<InteractionTables>, id: number): Promise<InteractionView | undefined> {
  const row = await db.selectFrom('interactions').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : viewOf(row);
}

function parseCursor(text: string): Cursor {
  if (!isCursor(text)) throw new TypeError(`not an interaction log cursor: '${text}'`);
  const [createdAt, id] = text.split('.').map(Number) as [number, number];
  return { createdAt, id };
}
