import { InvalidCredentialsError, type Client } from 'ldapts';
import { isAbortReason, within, type Bounds } from './bounds.js';
import type { LdapConnector } from './connection.js';
import { PasswordPolicyControl } from './password-policy.js';
import { ldapStoreError } from './store-error.js';
import type { UserBindResult } from './verdict.js';

/**
 * Binds as `dn` with the typed password on a connection of its own, with the password policy request control, and
 * closes the connection after (or as soon as the bounds end). `afterBind` runs on the bound connection (a direct
 * bind reads the user's own entry there). Result 49 resolves as `invalid-credentials`; any other failure rejects
 * with a `LegacyStoreError`.
 *
 * @example
 *   const { bind } = await bindAsUser(connector, url, dn, password, bounds);
 */
export async function bindAsUser<T>(
  connector: LdapConnector,
  url: URL,
  dn: string,
  password: string,
  bounds: Bounds,
  afterBind?: (client: Client) => Promise<T>,
): Promise<{ bind: UserBindResult; after: T | undefined }> {
  const connection = connector.openConnection();
  try {
    return await within(bounds, async () => {
      await connector.secure(connection);
      const policy = new PasswordPolicyControl();
      try {
        await connection.client.bind(dn, password, [policy]);
      } catch (error) {
        if (error instanceof InvalidCredentialsError) {
          return { bind: { kind: 'invalid-credentials', diagnosticMessage: error.message, policy: policy.response }, after: undefined };
        }
        throw error;
      }
      const after = afterBind === undefined ? undefined : await afterBind(connection.client);
      return { bind: { kind: 'bound', policy: policy.response }, after };
    });
  } catch (error) {
    throw isAbortReason(bounds, error) ? error : ldapStoreError(error, 'user bind', url);
  } finally {
    connector.destroy(connection);
  }
}
