import { z } from 'zod';
import { describeIssues } from '../describe-issues.js';
import { EventError, EventErrorCode } from '../errors.js';
import { requireKnownAction } from '../known-action.js';

export const TOKEN_ISSUANCE_START_RESPONSE_TYPE = 'microsoft.graph.onTokenIssuanceStartResponseData';

/** The one answer Entra understands for OnTokenIssuanceStart. */
export const TOKEN_ISSUANCE_START_ACTIONS = ['provideClaimsForToken'] as const;
export type TokenIssuanceStartAction = (typeof TOKEN_ISSUANCE_START_ACTIONS)[number];

export const tokenIssuanceStartActionODataType = (action: TokenIssuanceStartAction) => `microsoft.graph.tokenIssuanceStart.${action}` as const;

/**
 * Most bytes the claims may take: "the sum of all the key and value pairs" is limited to 3 KB (custom claims
 * provider reference, "Claim size limitations"), counted here as UTF-8 bytes of every name and every string value.
 */
export const MAX_CLAIMS_BYTES = 3 * 1024;
/** Most claims an answer may carry: each one needs its own `claimsForTokenConfiguration` entry; 3 KB holds no more. */
export const MAX_CLAIMS = 100;
/**
 * A claim name as the answer spells it and the extension's `claimIdInApiResponse` and the claims mapping policy's
 * `ID` repeat it, case sensitive. Letters, digits, `_`, `-` and `.`; no prototype names.
 */
export const CLAIM_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,127}$/;
const FORBIDDEN_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Supported claim values: a string, or an array of strings ("Supported data types": no Boolean, no JSON). */
export const claimValueSchema = z.union([z.string(), z.array(z.string())]);
export type ClaimValue = z.infer<typeof claimValueSchema>;
export type Claims = Readonly<Record<string, ClaimValue>>;

/** UTF-8 bytes of every claim name and every string value: what {@link MAX_CLAIMS_BYTES} limits. */
export function claimsSize(claims: Claims): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(claims)) {
    bytes += Buffer.byteLength(name, 'utf8');
    for (const item of Array.isArray(value) ? value : [value]) bytes += Buffer.byteLength(String(item), 'utf8');
  }
  return bytes;
}

/**
 * The claims bag: an object (a null bag is refused — Entra's 1003007), of names that can be claim names, each a
 * string or an array of strings (anything else is Entra's 1003003), together no more than 3 KB.
 */
const claimsSchema = z
  .unknown()
  .check((ctx) => {
    const raw = ctx.value;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return; // the record reports the type
    const names = Object.keys(raw);
    if (names.length > MAX_CLAIMS) {
      ctx.issues.push({ code: 'too_big', origin: 'object', maximum: MAX_CLAIMS, inclusive: true, input: raw, message: `more than ${MAX_CLAIMS} claims` });
      return;
    }
    if (names.some((name) => FORBIDDEN_NAMES.has(name) || !CLAIM_NAME_PATTERN.test(name))) {
      ctx.issues.push({ code: 'invalid_format', format: 'claim name', input: undefined, message: 'a claim name is not a claim name' });
    }
  })
  .pipe(z.record(z.string(), claimValueSchema))
  .check((ctx) => {
    const size = claimsSize(ctx.value);
    if (size > MAX_CLAIMS_BYTES) {
      ctx.issues.push({ code: 'too_big', origin: 'string', maximum: MAX_CLAIMS_BYTES, inclusive: true, input: undefined, message: `claims of ${size} bytes, more than ${MAX_CLAIMS_BYTES}` });
    }
  });

// `@odata.type` is any string here so a reader can tell "unknown action" (1003012) apart from a malformed body
// (1003003); tokenIssuanceStartActionOf names the action. `claims` is optional here only so that a reader can tell
// a missing or null bag (1003007) apart: buildTokenIssuanceStartResponse always sends one.
const actionSchema = z.object({
  '@odata.type': z.string().max(256),
  claims: claimsSchema.nullish(),
});

/**
 * The answer's schema. The server derives its Fastify response schema from this, and the emulator validates
 * extensions' answers with it (no nonce: only OnPasswordSubmit has one).
 */
export const tokenIssuanceStartResponseSchema = z.object({
  data: z.object({
    '@odata.type': z.literal(TOKEN_ISSUANCE_START_RESPONSE_TYPE),
    actions: z.array(actionSchema),
  }),
});

export type TokenIssuanceStartResponse = z.infer<typeof tokenIssuanceStartResponseSchema>;

/** What the extension decided: the claims to give the token (none is `{}`, never null). */
export type TokenIssuanceStartAnswer = { action: 'provideClaimsForToken'; claims: Claims };

/**
 * Builds the body Entra expects: exactly one `provideClaimsForToken` action with a claims bag. Claims that break the
 * documented limits (a value that is not a string or an array of strings, a name that cannot be a claim name, more
 * than 3 KB) throw `EVENT_RESPONSE_INVALID` rather than reach Entra.
 *
 * @example
 *   buildTokenIssuanceStartResponse({ action: 'provideClaimsForToken', claims: { roles: ['Writer', 'Editor'] } })
 *   // { data: { '@odata.type': 'microsoft.graph.onTokenIssuanceStartResponseData',
 *   //           actions: [{ '@odata.type': 'microsoft.graph.tokenIssuanceStart.provideClaimsForToken',
 *   //                       claims: { roles: ['Writer', 'Editor'] } }] } }
 */
export function buildTokenIssuanceStartResponse(answer: TokenIssuanceStartAnswer): TokenIssuanceStartResponse {
  requireKnownAction(TOKEN_ISSUANCE_START_ACTIONS, answer.action);
  if (typeof answer.claims !== 'object' || answer.claims === null || Array.isArray(answer.claims)) {
    throw new EventError(EventErrorCode.RESPONSE_INVALID, 'The extension answered without a claims bag; with no claims to give, the answer is claims: {}.', ['data.actions.0.claims: expected object']);
  }
  const action = { '@odata.type': tokenIssuanceStartActionODataType(answer.action), claims: copyClaims(answer.claims) };
  return parseTokenIssuanceStartResponse({ data: { '@odata.type': TOKEN_ISSUANCE_START_RESPONSE_TYPE, actions: [action] } });
}

/**
 * Reads an extension's answer the way Entra does. Throws an {@link EventError} whose `issues` say what is wrong;
 * the emulator maps those to Entra's 1003xxx codes (a missing or null claims bag is 1003007, see
 * {@link hasClaimsBag}).
 */
export function parseTokenIssuanceStartResponse(body: unknown): TokenIssuanceStartResponse {
  const result = tokenIssuanceStartResponseSchema.safeParse(body);
  if (!result.success) {
    throw new EventError(EventErrorCode.RESPONSE_INVALID, 'The extension answered with a body Entra would not accept.', describeIssues(result.error));
  }
  for (const [index, action] of result.data.data.actions.entries()) {
    if (action.claims === null || action.claims === undefined) {
      throw new EventError(EventErrorCode.RESPONSE_INVALID, 'The extension answered without a claims bag; with no claims to give, the answer is claims: {}.', [`data.actions.${index}.claims: expected object`]);
    }
  }
  return result.data;
}

/** True when every action of an answer carries a claims bag (Entra fails a null or missing one with 1003007). */
export function hasClaimsBag(body: unknown): boolean {
  const actions = (body as { data?: { actions?: unknown } } | null)?.data?.actions;
  return Array.isArray(actions) && actions.every((action) => typeof action === 'object' && action !== null && typeof (action as { claims?: unknown }).claims === 'object' && (action as { claims?: unknown }).claims !== null);
}

/** The action an answer carries, or undefined for an `@odata.type` that is not provideClaimsForToken. */
export function tokenIssuanceStartActionOf(odataType: string): TokenIssuanceStartAction | undefined {
  return TOKEN_ISSUANCE_START_ACTIONS.find((action) => tokenIssuanceStartActionODataType(action) === odataType);
}

/**
 * A plain copy: arrays copied, so the caller's claims cannot change the body after it was checked. Each name is
 * defined, not assigned, so a `__proto__` name stays a key (and is refused) instead of silently vanishing.
 */
function copyClaims(claims: Claims): Record<string, ClaimValue> {
  const copy: Record<string, ClaimValue> = {};
  for (const [name, value] of Object.entries(claims)) {
    Object.defineProperty(copy, name, { value: Array.isArray(value) ? [...value] : value, enumerable: true, writable: true, configurable: true });
  }
  return copy;
}
