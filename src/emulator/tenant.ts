import { createPrivateKey, createPublicKey, generateKeyPair, randomUUID, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { exportJWK, type JWK } from 'jose';

const generateRsa = promisify(generateKeyPair);

interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: JWK;
}

/** The emulated External ID tenant: its ids, its issuer and the keys it signs callout tokens with. */
export interface EmulatedTenant {
  readonly tenantId: string;
  readonly subdomain: string;
  /** `<subdomain>.onmicrosoft.com`: the issuer of users' e-mail identities. */
  readonly domain: string;
  /** The issuer Entra writes into callout tokens: `https://{tenantId}.ciamlogin.com/{tenantId}/v2.0`. */
  readonly issuer: string;
  /** The key currently signing; older keys stay in the JWKS until removed, as Entra rolls keys. */
  signingKey(): SigningKey;
  /** Adds a new signing key and makes it current; the previous one stays published. */
  rotateSigningKey(): Promise<SigningKey>;
  /** The OpenID Connect discovery document, with endpoints under `baseUrl` (the emulator's address). */
  openIdConfiguration(baseUrl: string): Record<string, unknown>;
  jwks(): { keys: JWK[] };
}

/** A signing key as the emulator keeps it across restarts (the state file is mode 0600; see state/tenant-store.ts). */
export interface StoredSigningKey {
  kid: string;
  privateKeyPem: string;
}

export interface TenantOptions {
  tenantId?: string;
  /** Default `contoso`. */
  subdomain?: string;
  /** Keys kept from an earlier run, oldest first; the last signs. Default: one new key. */
  signingKeys?: readonly StoredSigningKey[];
  /** Called with each new key (the first one, and each rotation), to keep it. */
  onNewSigningKey?: (key: StoredSigningKey) => void;
}

/**
 * A fake tenant with a real RS256 key. Its issuer is the real External ID form, so the extension validates
 * emulator tokens with exactly the rules it applies to Entra's; only where the metadata is fetched differs
 * (`ENTRA_OPENID_CONFIGURATION_URL`).
 *
 * @example
 *   const tenant = await createTenant({ subdomain: 'contoso' });
 */
export async function createTenant(options: TenantOptions = {}): Promise<EmulatedTenant> {
  const tenantId = (options.tenantId ?? randomUUID()).toLowerCase();
  const subdomain = options.subdomain ?? 'contoso';
  const keys: SigningKey[] = await Promise.all((options.signingKeys ?? []).map(restoreSigningKey));
  const addKey = async () => {
    const key = await newSigningKey();
    keys.push(key);
    options.onNewSigningKey?.({ kid: key.kid, privateKeyPem: key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() });
    return key;
  };
  if (keys.length === 0) await addKey();
  const issuer = `https://${tenantId}.ciamlogin.com/${tenantId}/v2.0`;

  return {
    tenantId,
    subdomain,
    domain: `${subdomain}.onmicrosoft.com`,
    issuer,
    signingKey: () => keys.at(-1)!,
    rotateSigningKey: addKey,
    openIdConfiguration(baseUrl) {
      const base = `${baseUrl}/${tenantId}`;
      return {
        issuer,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        token_endpoint: `${base}/oauth2/v2.0/token`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        jwks_uri: `${base}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'tid', 'ver', 'oid', 'name', 'email'],
        tenant_region_scope: 'EU',
        cloud_instance_name: 'microsoftonline.com',
      };
    },
    jwks: () => ({ keys: keys.map((key) => key.publicJwk) }),
  };
}

async function newSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateRsa('rsa', { modulusLength: 2048 });
  const kid = randomUUID().replace(/-/g, '').slice(0, 27);
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, use: 'sig', kty: 'RSA' } };
}

async function restoreSigningKey(stored: StoredSigningKey): Promise<SigningKey> {
  const privateKey = createPrivateKey(stored.privateKeyPem);
  return { kid: stored.kid, privateKey, publicJwk: { ...(await exportJWK(createPublicKey(privateKey))), kid: stored.kid, use: 'sig', kty: 'RSA' } };
}
