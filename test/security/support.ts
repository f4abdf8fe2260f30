import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { CompactEncrypt, exportJWK, SignJWT, type JWTPayload } from 'jose';
import { generateDecryptionKey, loadKeyRing, type GeneratedDecryptionKey, type KeyRing } from '../../src/security/index.js';

export const TENANT_ID = '6d1f4f3a-9b1e-4c55-8a9e-2f0a3c1b7d21';
export const APP_ID = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';
export const CALLER = '99045fe1-7639-4a75-9d4a-577b6ca3810f';
export const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
export const NOW_S = NOW / 1000;

let cached: Promise<GeneratedDecryptionKey[]> | undefined;
/** Two generated keys (with certificates), shared by the suite: RSA generation is slow. */
export function twoKeys(): Promise<GeneratedDecryptionKey[]> {
  cached ??= Promise.all([generateDecryptionKey({ subject: 'CN=one' }), generateDecryptionKey({ subject: 'CN=two' })]);
  return cached;
}

export function ringOf(...keys: GeneratedDecryptionKey[]): KeyRing {
  return loadKeyRing(keys.map((key, i) => ({ pem: key.privateKeyPem + key.certificatePem, source: `key-${i}.pem` })));
}

export function unsignedJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

export function contextClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    aud: APP_ID,
    iss: `api://auth.contoso.example/${APP_ID}`,
    iat: NOW_S - 5,
    nbf: NOW_S - 5,
    exp: NOW_S + 595,
    'user-password': 'Pass-Word-1',
    username: 'ada@contoso.example',
    nonce: 'nonce-123',
    ...overrides,
  };
}

export interface JweOptions {
  alg?: string;
  enc?: string;
  zip?: boolean;
  x5t?: string | undefined;
}

/** A JWE as Entra makes it (RSA-OAEP, A128CBC-HS256, zip DEF, x5t) unless told otherwise. */
export async function encryptTo(certificatePem: string, plaintext: string | Uint8Array, options: JweOptions = {}): Promise<string> {
  const { createPublicKey, X509Certificate } = await import('node:crypto');
  const publicKey = createPublicKey(new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'pem' }));
  const header: Record<string, string> = { alg: options.alg ?? 'RSA-OAEP', enc: options.enc ?? 'A128CBC-HS256' };
  if (options.x5t !== undefined) header.x5t = options.x5t;
  const bytes = typeof plaintext === 'string' ? new TextEncoder().encode(plaintext) : plaintext;
  return new CompactEncrypt(bytes)
    .setProtectedHeader({ ...header, ...(options.zip !== false && { zip: 'DEF' }) } as { alg: string; enc: string })
    .encrypt(publicKey);
}

/** Deflates like `zip: DEF` but lets a test send what jose would never make (a bomb). */
export function deflated(bytes: Uint8Array): Uint8Array {
  return deflateRawSync(bytes);
}

export interface Tenant {
  privateKey: KeyObject;
  kid: string;
  fetch: typeof fetch;
  fetchCount(): number;
  metadataUrl: string;
  token(claims?: JWTPayload, header?: Record<string, unknown>): Promise<string>;
}

/** A tenant whose metadata and key set are served by an in-memory fetch, counting requests. */
export async function fakeTenant(keyCount = 1): Promise<Tenant> {
  const pairs = Array.from({ length: keyCount }, (_, i) => ({ kid: `kid-${i}`, ...generateKeyPairSync('rsa', { modulusLength: 2048 }) }));
  const jwks = { keys: await Promise.all(pairs.map(async (pair) => ({ ...(await exportJWK(pair.publicKey)), kid: pair.kid, use: 'sig', alg: 'RS256' }))) };
  const metadataUrl = `https://${TENANT_ID}.ciamlogin.com/${TENANT_ID}/v2.0/.well-known/openid-configuration`;
  const jwksUrl = `https://${TENANT_ID}.ciamlogin.com/${TENANT_ID}/discovery/v2.0/keys`;
  let count = 0;
  const fakeFetch = (async (input: string | URL | Request) => {
    count++;
    const url = String(input);
    if (url === metadataUrl) return Response.json({ issuer: `https://${TENANT_ID}.ciamlogin.com/${TENANT_ID}/v2.0`, jwks_uri: jwksUrl });
    if (url === jwksUrl) return Response.json(jwks);
    return new Response('not found', { status: 404 });
  }) as typeof fetch;
  const first = pairs[0]!;
  return {
    privateKey: first.privateKey,
    kid: first.kid,
    fetch: fakeFetch,
    fetchCount: () => count,
    metadataUrl,
    token: (claims = {}, header = {}) =>
      new SignJWT({
        iss: `https://${TENANT_ID}.ciamlogin.com/${TENANT_ID}/v2.0`,
        aud: APP_ID,
        iat: NOW_S - 60,
        nbf: NOW_S - 60,
        exp: NOW_S + 3600,
        azp: CALLER,
        tid: TENANT_ID,
        ver: '2.0',
        ...claims,
      })
        .setProtectedHeader({ alg: 'RS256', kid: first.kid, typ: 'JWT', ...header } as { alg: string })
        .sign(first.privateKey),
  };
}
