import { EmulatorError, EmulatorErrorCode } from '../errors.js';
import { createTenant, type EmulatedTenant, type StoredSigningKey } from '../tenant.js';
import type { TenantStore } from './tenant-store.js';

interface StoredTenant {
  tenantId: string;
  subdomain: string;
}

/**
 * The tenant the store holds — same id, subdomain and signing keys as last run — or, in a new store, a new tenant
 * that the store keeps from now on. Asking for another tenant id than the one stored is an error naming both.
 *
 * @example
 *   const tenant = await restoreTenant(openTenantStore('./emulator.db'), { tenantId });
 */
export async function restoreTenant(store: TenantStore, options: { tenantId?: string; subdomain?: string }): Promise<EmulatedTenant> {
  const saved = store.entries<StoredTenant>('tenant')[0]?.[1];
  const wanted = options.tenantId?.toLowerCase();
  if (saved && wanted && saved.tenantId !== wanted) {
    throw new EmulatorError(EmulatorErrorCode.STATE_CONFLICT, `The directory ${store.path} holds the tenant ${saved.tenantId}, not ${wanted}.`);
  }
  const tenant = await createTenant({
    ...((saved?.tenantId ?? wanted) && { tenantId: saved?.tenantId ?? wanted }),
    ...((saved?.subdomain ?? options.subdomain) && { subdomain: saved?.subdomain ?? options.subdomain }),
    signingKeys: store.entries<StoredSigningKey>('signing-key').map(([, key]) => key),
    onNewSigningKey: (key) => store.put('signing-key', key.kid, key),
  });
  if (!saved) store.put('tenant', 'tenant', { tenantId: tenant.tenantId, subdomain: tenant.subdomain } satisfies StoredTenant);
  return tenant;
}
