import type { Directory, DirectoryUser, UserCursor } from './directory.js';

/** Graph's page sizes for directory objects (users): 100 unless `$top` asks for another, at most 999. */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 999;

export type UserPage =
  | { ok: true; users: DirectoryUser[]; nextLink?: string }
  /** `$top` out of range (Graph: Request_UnsupportedQuery), or a `$skiptoken` we did not issue. */
  | { ok: false; problem: 'top' | 'skiptoken'; message: string };

/**
 * One page of the directory's users, paged as Graph pages directory objects: `$top` users (default 100, at most
 * 999) after the `$skiptoken`, with `@odata.nextLink` — `pageUrl` with the next token — while more remain. The
 * token is a keyset cursor (creation time and id), so a page costs the same however deep it is.
 *
 * @example
 *   const page = pageOfUsers(directory, request.query, `${origin}/v1.0/users`);
 *   if (page.ok) return { value: page.users, ...(page.nextLink && { '@odata.nextLink': page.nextLink }) };
 */
export function pageOfUsers(directory: Directory, query: Record<string, unknown>, pageUrl: string): UserPage {
  const topText = query.$top;
  const top = topText === undefined ? DEFAULT_PAGE_SIZE : Number(topText);
  if (!Number.isInteger(top) || top < 1 || top > MAX_PAGE_SIZE) {
    // Graph's wording for users as commonly reported; the exact text for every collection is not documented.
    return { ok: false, problem: 'top', message: `Invalid page size specified: '${String(topText).slice(0, 20)}'. Must be between 1 and ${MAX_PAGE_SIZE} inclusive.` };
  }
  let after: UserCursor | undefined;
  if (query.$skiptoken !== undefined) {
    after = cursorOf(query.$skiptoken);
    if (!after) return { ok: false, problem: 'skiptoken', message: 'The specified page token value has expired and can no longer be included in your request.' };
  }
  const users = directory.listUsers({ limit: top + 1, ...(after && { after }) });
  if (users.length <= top) return { ok: true, users };
  const shown = users.slice(0, top);
  const last = shown.at(-1)!;
  const token = Buffer.from(JSON.stringify([last.createdDateTime, last.id])).toString('base64url');
  return { ok: true, users: shown, nextLink: `${pageUrl}?$top=${top}&$skiptoken=${token}` };
}

function cursorOf(token: unknown): UserCursor | undefined {
  if (typeof token !== 'string' || token.length > 200) return undefined;
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && value.every((part) => typeof part === 'string')) return { createdDateTime: value[0] as string, id: value[1] as string };
  } catch {
    // Not a token we issued.
  }
  return undefined;
}
