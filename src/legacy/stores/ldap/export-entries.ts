import { ResultCodeError, type Entry } from 'ldapts';
import { LDAP_BIND_DN, LDAP_SEARCH_BASE, LDAP_URL } from '../../../config/legacy-ldap-settings.js';
import { LDAP_EXPORT_FILTER, type LdapExportSettings } from '../../../config/legacy-ldap-export-settings.js';
import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';
import { withDeadline } from '../sql/deadline.js';
import { LdapConnector } from './connection.js';
import { ldapStoreError, type LdapStage } from './store-error.js';

/** Options of {@link exportEntries}. */
export interface ExportEntriesOptions {
  /** The attributes to read (`['1.1']` for none, RFC 4511 §4.5.1.8). */
  readonly attributes: readonly string[];
  /** Attributes delivered as bytes rather than text (`objectGUID`). */
  readonly explicitBufferAttributes?: readonly string[];
  /** Entries per page (RFC 2696 `size`). Default {@link EXPORT_PAGE_SIZE}. */
  readonly pageSize?: number;
  /** How long the bind and each page may take, in ms. Default {@link EXPORT_PAGE_TIMEOUT_IN_MS}. */
  readonly pageTimeoutInMs?: number;
  /** Stops the listing at once: the connection is closed and the pending page rejects with the signal's reason. */
  readonly abortSignal?: AbortSignal;
}

/**
 * Entries per page: 500 stays within OpenLDAP's default per-search size limit (500) and Active Directory's
 * MaxPageSize (1,000, https://learn.microsoft.com/troubleshoot/windows-server/active-directory/view-set-ldap-policy-using-ntdsutil),
 * and holds a page of a few hundred KB in memory at most.
 */
export const EXPORT_PAGE_SIZE = 500;
/**
 * How long the bind and each page may take: 120 s, Active Directory's default MaxQueryDuration (same page as
 * above), so any page the directory is willing to compute arrives in time, while a directory that stopped answering
 * stops the run.
 */
export const EXPORT_PAGE_TIMEOUT_IN_MS = 120_000;

/**
 * Lists the entries of LEGACY_LDAP_SEARCH_BASE that match LEGACY_LDAP_EXPORT_FILTER, one at a time, with a simple
 * paged results search (RFC 2696, https://www.rfc-editor.org/rfc/rfc2696) on one connection bound as the service
 * account (StartTLS, CA and transport as `serve`). Only one page is held in memory; the next is asked for when the
 * consumer has taken the last entry, so a slow consumer (Graph at 18 writes/s) paces the directory. Aliases are not
 * followed and referrals (AD's continuation references) are ignored. Failures reject with a `LegacyStoreError` whose
 * message names the setting to fix; the connection is closed when the listing ends, fails, is abandoned or aborted.
 *
 * The paged-results cookie lives on the connection: a connection lost mid-way ends the listing with an error (run
 * again: what was created is skipped by the ledger).
 *
 * @example
 *   for await (const entry of exportEntries(settings, { attributes: ['entryUUID', 'mail'] })) …
 */
export async function* exportEntries(settings: LdapExportSettings, options: ExportEntriesOptions): AsyncGenerator<Entry> {
  const pageSize = options.pageSize ?? EXPORT_PAGE_SIZE;
  const timeoutInMs = options.pageTimeoutInMs ?? EXPORT_PAGE_TIMEOUT_IN_MS;
  const { abortSignal } = options;
  // serve's connector, as is: the same StartTLS, CA and transport handling.
  const connector = await LdapConnector.create(settings);
  const connection = connector.openConnection();
  const closeOnAbort = () => connector.destroy(connection);
  abortSignal?.addEventListener('abort', closeOnAbort, { once: true });
  let stage: LdapStage = 'service bind';
  const step = <T>(work: () => Promise<T>): Promise<T> =>
    withDeadline(work, { timeoutInMs, abortSignal, timeoutError: () => timeoutError(stage, timeoutInMs) }).catch((error: unknown) => {
      throw abortSignal?.aborted && error === abortSignal.reason ? error : exportError(error, stage, settings.url);
    });
  try {
    await step(async () => {
      await connector.secure(connection);
      await connection.client.bind(settings.bindDn, settings.bindPassword);
    });
    stage = 'search';
    const pages = connection.client.searchPaginated(settings.searchBase, {
      scope: 'sub',
      derefAliases: 'never',
      filter: settings.exportFilter,
      attributes: [...options.attributes],
      explicitBufferAttributes: [...(options.explicitBufferAttributes ?? [])],
      paged: { pageSize },
      // Each page is an operation of its own: the directory gives up on one at the same time as we do.
      timeLimit: Math.max(1, Math.ceil(timeoutInMs / 1000)),
    });
    try {
      for (;;) {
        const page = await step(() => pages.next());
        if (page.done) return;
        yield* page.value.searchEntries;
      }
    } finally {
      void pages.return(undefined).catch(() => undefined);
    }
  } finally {
    abortSignal?.removeEventListener('abort', closeOnAbort);
    connector.destroy(connection);
  }
}

/**
 * Counts the entries {@link exportEntries} would list, reading no attributes (`1.1`): 90,000–160,000 a second from a
 * local slapd, so a progress bar's total costs a second or two for External ID's 300,000 objects.
 *
 * @example
 *   const total = await countEntries(settings);
 */
export async function countEntries(settings: LdapExportSettings, options: Pick<ExportEntriesOptions, 'pageSize' | 'pageTimeoutInMs' | 'abortSignal'> = {}): Promise<number> {
  let count = 0;
  for await (const _entry of exportEntries(settings, { ...options, attributes: ['1.1'] })) count += 1;
  return count;
}

/**
 * A failure of the listing as a `LegacyStoreError` naming the setting to fix. The result codes a listing meets and a
 * sign-in's search does not are mapped here (RFC 4511 appendix A, https://www.rfc-editor.org/rfc/rfc4511#appendix-A);
 * the rest as for `serve` (a 49 at the service bind names LEGACY_LDAP_BIND_DN and LEGACY_LDAP_BIND_PASSWORD).
 */
function exportError(error: unknown, stage: LdapStage, url: URL): LegacyStoreError {
  if (error instanceof LegacyStoreError || !(error instanceof ResultCodeError) || stage !== 'search') return ldapStoreError(error, stage, url);
  const at = `The directory at ${url.host}`;
  const misconfigured = (message: string) => new LegacyStoreError(LegacyStoreErrorCode.MISCONFIGURED, message, { detail: `${message} (listing: result ${error.code})` });
  switch (error.code) {
    case 4: // sizeLimitExceeded: OpenLDAP's size limit (500 by default) bounds a paged search's total too.
    case 11: // adminLimitExceeded: AD's MaxResultSetSize or MaxPageSize.
      return misconfigured(
        `${at} stopped the listing at its size limit (result ${error.code}); let ${LDAP_BIND_DN} list more entries ` +
          `(OpenLDAP: olcLimits size.prtotal=unlimited for it), or narrow ${LDAP_SEARCH_BASE} or ${LDAP_EXPORT_FILTER}.`,
      );
    case 12: // unavailableCriticalExtension: no simple paged results.
      return misconfigured(`${at} does not support paged results (RFC 2696, result 12), which listing accounts needs; check ${LDAP_URL}.`);
    case 87: // filterError
      return misconfigured(`${at} did not accept the export filter (result 87); check ${LDAP_EXPORT_FILTER}.`);
    default:
      return ldapStoreError(error, stage, url);
  }
}

function timeoutError(stage: LdapStage, timeoutInMs: number): LegacyStoreError {
  const what = stage === 'search' ? 'a page of the listing' : 'the service bind';
  const limit = timeoutInMs >= 1000 ? `${Math.round(timeoutInMs / 1000)} s` : `${timeoutInMs} ms`;
  return new LegacyStoreError(LegacyStoreErrorCode.TIMEOUT, `The directory did not answer ${what} within ${limit}.`);
}
