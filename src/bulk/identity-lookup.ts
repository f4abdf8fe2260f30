import { MAX_BATCH_SIZE, type GraphBatchClient } from '../graph/index.js';

/**
 * Looks users up by their e-mail identity (GETs: no write budget), 20 to a `$batch`. The answer maps each e-mail
 * Graph answered for to the object id, or null when no user holds it; an e-mail Graph could not answer for
 * (throttled, unavailable, or not asked because the run was stopped) is absent: unknown, never "not there".
 *
 * @example
 *   const lookUp = identityLookup(graph, 'contoso.onmicrosoft.com');
 *   (await lookUp(['ada@legacy.example'])).get('ada@legacy.example') // '5f6c…' | null | undefined
 */
export function identityLookup(graph: GraphBatchClient, tenantDomain: string) {
  const quote = (value: string) => value.replace(/'/g, "''");
  const url = (email: string) =>
    `/users?$filter=${encodeURIComponent(`identities/any(c:c/issuerAssignedId eq '${quote(email)}' and c/issuer eq '${quote(tenantDomain)}')`)}&$select=id`;

  return async (emails: readonly string[], abortSignal?: AbortSignal): Promise<Map<string, string | null>> => {
    const found = new Map<string, string | null>();
    for (let i = 0; i < emails.length && !abortSignal?.aborted; i += MAX_BATCH_SIZE) {
      const chunk = emails.slice(i, i + MAX_BATCH_SIZE);
      const responses = await graph.send(chunk.map((email, j) => ({ id: String(j), method: 'GET' as const, url: url(email) })), { abortSignal });
      responses.forEach((response, j) => {
        if (response.status !== 200) return;
        const value = (response.body as { value?: Array<{ id?: string }> } | null)?.value;
        found.set(chunk[j]!, value?.[0]?.id ?? null);
      });
    }
    return found;
  };
}
