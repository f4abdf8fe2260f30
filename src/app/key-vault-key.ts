import { readFile } from 'node:fs/promises';
import { ConfigError, type ServeConfig } from '../config/index.js';
import { remoteDecryptionKey, type DecryptionKey, type KeyUnwrapper } from '../security/index.js';
import { fileProblem } from '../common/file-problem.js';

/** Builds the client that unwraps with a Key Vault key; tests pass an in-process one of the same shape. */
export type KeyUnwrapperFactory = (keyId: string) => KeyUnwrapper | Promise<KeyUnwrapper>;

/**
 * The Key Vault decryption key of `JIT_DECRYPTION_KEY_VAULT_KEY_ID`, if configured: by default a
 * `CryptographyClient` (@azure/keyvault-keys) signed in with `DefaultAzureCredential` — the managed identity in
 * Azure — loaded only when a vault key is configured. The certificate file, when given, supplies the `x5t`.
 *
 * @example
 *   const remote = await openKeyVaultKey(config.decryptionKeyVault);
 */
export async function openKeyVaultKey(settings: ServeConfig['decryptionKeyVault'], factory: KeyUnwrapperFactory = cryptographyClient): Promise<DecryptionKey[]> {
  if (!settings) return [];
  let certificatePem: string | undefined;
  if (settings.certificateFile) {
    try {
      certificatePem = await readFile(settings.certificateFile, 'utf8');
    } catch (error) {
      throw new ConfigError([{ setting: 'JIT_DECRYPTION_KEY_VAULT_CERTIFICATE_FILE', problem: `${settings.certificateFile}: ${fileProblem(error)}` }]);
    }
  }
  return [remoteDecryptionKey({ keyId: settings.keyId, unwrapper: await factory(settings.keyId), ...(certificatePem !== undefined && { certificatePem }) })];
}

async function cryptographyClient(keyId: string): Promise<KeyUnwrapper> {
  const [{ CryptographyClient }, { DefaultAzureCredential }] = await Promise.all([import('@azure/keyvault-keys'), import('@azure/identity')]);
  return new CryptographyClient(keyId, new DefaultAzureCredential());
}
