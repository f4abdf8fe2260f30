import { GRAPH_DEFAULT_SCOPE, type TokenCredential } from './client-credentials.js';

/** The tenant's directory object quota: objects in use and allowed (300,000 by default for External ID). */
export interface DirectoryQuota {
  used: number;
  total: number;
}

/**
 * Reads `directorySizeQuota` from `GET /beta/organization` (the property exists in Graph's beta only). Returns null
 * when Graph does not say — an older tenant, a missing permission (Organization.Read.All) — so the caller can
 * report the quota as unknown rather than fail a dry run over it.
 *
 * @example
 *   const quota = await readDirectoryQuota({ baseUrl: 'https://graph.microsoft.com', credential });
 */
export async function readDirectoryQuota(options: { baseUrl: string; credential: TokenCredential; fetch?: typeof globalThis.fetch }): Promise<DirectoryQuota | null> {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  try {
    const { token } = await options.credential.getToken(GRAPH_DEFAULT_SCOPE);
    const response = await fetchImpl(`${options.baseUrl.replace(/\/+$/, '')}/beta/organization?$select=directorySizeQuota`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(30_000),
    });
    if (!response.ok) return null;
    const body = (await response.json()) as { value?: Array<{ directorySizeQuota?: { used?: unknown; total?: unknown } }> };
    const quota = body.value?.[0]?.directorySizeQuota;
    return Number.isSafeInteger(quota?.used) && Number.isSafeInteger(quota?.total) ? { used: quota!.used as number, total: quota!.total as number } : null;
  } catch {
    return null;
  }
}
