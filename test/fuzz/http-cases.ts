import fc from 'fast-check';
import { EVENT_ROUTES, type FuzzServer } from './fuzz-server.js';

/**
 * The generated requests of the HTTP fuzz: each case is a small description (indices, kinds, hostile values), turned
 * into a request by {@link requestOf} against the run's fixtures and tokens. Keeping the case free of tokens and
 * passwords means a counterexample fast-check prints holds no secret, and a seed replays the same requests.
 */

/**
 * A value made only when the request is built: a counterexample shows its recipe (`deep(array, 5000)`), not the
 * value, which fast-check could not print (its printer recurses) and a reader could not read.
 */
export class Lazy {
  constructor(
    readonly recipe: string,
    readonly make: () => unknown,
  ) {}

  [fc.toStringMethod](): string {
    return this.recipe;
  }
}

/** Values a hostile client puts where the protocol expects something else. */
const hugeString = fc
  .record({ length: fc.integer({ min: 1_000, max: 80_000 }), char: fc.constantFrom('a', 'é', '😀', '\u0000', '"', '\\') })
  .map(({ length, char }) => new Lazy(`${JSON.stringify(char)}.repeat(${length})`, () => char.repeat(length)));
const deepNesting = fc.record({ depth: fc.integer({ min: 50, max: 5_000 }), shape: fc.constantFrom('array', 'object') }).map(
  ({ depth, shape }) =>
    new Lazy(`deep(${shape}, ${depth})`, () => new RawJson(shape === 'array' ? `${'['.repeat(depth)}"leaf"${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}"leaf"${'}'.repeat(depth)}`)),
);

/** JSON text spliced into a body as it is encoded: nesting deeper than JSON.stringify's recursion can go. */
class RawJson {
  constructor(readonly text: string) {}
}
/**
 * The value to put into a request: made, or copied (own `__proto__` keys kept) so that a later mutation of the request
 * never edits the case itself — fast-check reuses a case while it shrinks, and an edit could even make it cyclic.
 */
const materialise = (value: unknown): unknown => (value instanceof Lazy ? value.make() : copyOf(value));

function copyOf(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copyOf);
  const copy = {};
  for (const [key, child] of Object.entries(value)) defineOwn(copy, key, copyOf(child));
  return copy;
}
const unicodeText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('\u202e', '\ud800', '\udfff', 'A\u0301', '\ufeff', 'ǅ', 'İ', 'ß', '\u0000', '%00', '../../etc/passwd', "' OR 1=1 --", '${jndi:ldap://x}', '<script>'),
);
const oddNumber = fc.oneof(fc.double(), fc.constantFrom(-0, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 64, 0.1 + 0.2, -1));
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 3, arbitrary: unicodeText },
  { weight: 2, arbitrary: oddNumber },
  { weight: 2, arbitrary: fc.constantFrom(null, true, false, '', [], {}, '0', 'null', 'undefined', 'NaN') },
  { weight: 1, arbitrary: hugeString },
  { weight: 1, arbitrary: deepNesting },
);

/** Keys that try prototype pollution, or collide with the protocol's own. */
const hostileKey = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', '@odata.type', 'actions', 'nonce', 'toString', 'hasOwnProperty', '') },
  { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
);

export type BodyMutation =
  | { kind: 'delete'; at: number }
  | { kind: 'replace'; at: number; value: unknown }
  | { kind: 'add'; at: number; key: string; value: unknown }
  | { kind: 'jwe'; how: 'flip' | 'truncate' | 'dropPart' | 'header'; at: number; text: string };

const bodyMutation: fc.Arbitrary<BodyMutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: hostileValue }),
  fc.record({ kind: fc.constant('add' as const), at: fc.nat(), key: hostileKey, value: hostileValue }),
  fc.record({ kind: fc.constant('jwe' as const), how: fc.constantFrom('flip', 'truncate', 'dropPart', 'header'), at: fc.nat(), text: fc.oneof(fc.string({ maxLength: 8 }), fc.json({ maxDepth: 2 })) }),
);

export type Encoding =
  | { kind: 'json' }
  | { kind: 'truncated'; at: number }
  | { kind: 'flipped'; at: number; char: string }
  | { kind: 'raw'; text: string }
  | { kind: 'empty' }
  | { kind: 'overLimit'; extraBytes: number };

const encoding: fc.Arbitrary<Encoding> = fc.oneof(
  { weight: 20, arbitrary: fc.constant({ kind: 'json' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncated' as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('flipped' as const), at: fc.nat(), char: fc.constantFrom('{', '}', '"', ',', ':', '\\', '\u0000', 'x', '[', ' ') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('raw' as const), text: fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 })) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'empty' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('overLimit' as const), extraBytes: fc.integer({ min: 1, max: 200_000 }) }) },
);

const contentType = fc.oneof(
  { weight: 20, arbitrary: fc.constant('application/json') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      undefined,
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/json; charset=latin1',
      'text/plain',
      'text/json',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      'application/jsonx',
      'application/json, text/plain',
      '',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz/;=+- ') , maxLength: 40 }) },
);

export type Authorization =
  | { kind: 'valid'; index: number }
  | { kind: 'missing' | 'expired' | 'notYetValid' | 'otherTenant' | 'wrongAudience' | 'algNone' | 'hs256' | 'foreignKey' | 'huge' | 'extraSpaces' | 'trailingSpace' }
  | { kind: 'scheme'; scheme: string }
  | { kind: 'truncated'; at: number }
  | { kind: 'mutated'; part: 0 | 1 | 2; at: number; char: string }
  | { kind: 'random'; text: string };

const base64urlChar = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');
const authorization: fc.Arbitrary<Authorization> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ kind: fc.constant('valid' as const), index: fc.nat({ max: 2 }) }) },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constantFrom('missing', 'expired', 'notYetValid', 'otherTenant', 'wrongAudience', 'algNone', 'hs256', 'foreignKey', 'huge', 'extraSpaces', 'trailingSpace'),
    }) as fc.Arbitrary<Authorization>,
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('scheme' as const), scheme: fc.constantFrom('Basic', 'Digest', 'bearer', 'BEARER', 'Token', 'Bearer:', 'Bearer\t', '', 'Negotiate') }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncated' as const), at: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('mutated' as const), part: fc.constantFrom(0 as const, 1 as const, 2 as const), at: fc.nat(), char: base64urlChar }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('random' as const), text: fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 300 }) }) },
);

/**
 * Whether the caller token passes: a valid token is still accepted under these spellings (RFC 6750's scheme is
 * case-insensitive; the parser takes one or more spaces); a trailing space is trimmed by an HTTP parser (RFC 9110
 * §5.5, optional whitespace) but not by `inject`, so either answer is right. Everything else must be refused.
 */
export function acceptsToken(auth: Authorization): 'yes' | 'no' | 'either' {
  if (auth.kind === 'valid' || auth.kind === 'extraSpaces') return 'yes';
  if (auth.kind === 'trailingSpace') return 'either';
  return auth.kind === 'scheme' && auth.scheme.toLowerCase() === 'bearer' ? 'yes' : 'no';
}

export interface HttpCase {
  /** Which route is asked (index into EVENT_ROUTES) and which route's body is sent (usually the same). */
  route: number;
  bodyOf: number;
  /** Which of the valid password bodies (for password-submit bodies). */
  pool: number;
  method: 'POST' | 'GET' | 'PUT' | 'DELETE' | 'PATCH' | 'OPTIONS' | 'HEAD';
  path: 'exact' | 'trailingSlash' | 'upperCase' | 'query' | 'unknown' | 'doubleSlash' | 'encoded';
  mutations: BodyMutation[];
  encoding: Encoding;
  contentType: string | undefined;
  authorization: Authorization;
  /** Extra headers a proxy or an attacker adds. */
  extraHeaders: Record<string, string>;
}

const headerName = fc.constantFrom('x-forwarded-for', 'x-forwarded-host', 'host', 'accept', 'accept-encoding', 'content-encoding', 'transfer-encoding', 'expect', 'x-ms-client-request-id', 'cookie', 'origin');
const headerValue = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 });

/**
 * Which parts of a request a case perturbs; the others stay as Entra sends them, so that most requests get past the
 * caller-token check and the body parser into the handlers (a case perturbing everything at once rarely does).
 */
const FOCUS = fc.oneof(
  { weight: 3, arbitrary: fc.constant('none' as const) },
  { weight: 4, arbitrary: fc.constant('body' as const) },
  { weight: 2, arbitrary: fc.constant('headers' as const) },
  { weight: 1, arbitrary: fc.constant('everything' as const) },
);

/** One generated request: a valid one with the parts its focus names perturbed. */
export const httpCase: fc.Arbitrary<HttpCase> = fc
  .record({
    focus: FOCUS,
    route: fc.nat({ max: EVENT_ROUTES.length - 1 }),
    otherBody: fc.option(fc.nat({ max: EVENT_ROUTES.length - 1 }), { freq: 10 }),
    pool: fc.nat({ max: 1_000 }),
    method: fc.oneof({ weight: 30, arbitrary: fc.constant('POST' as const) }, { weight: 1, arbitrary: fc.constantFrom('GET' as const, 'PUT' as const, 'DELETE' as const, 'PATCH' as const, 'OPTIONS' as const, 'HEAD' as const) }),
    path: fc.oneof({ weight: 30, arbitrary: fc.constant('exact' as const) }, { weight: 1, arbitrary: fc.constantFrom('trailingSlash' as const, 'upperCase' as const, 'query' as const, 'unknown' as const, 'doubleSlash' as const, 'encoded' as const) }),
    mutations: fc.array(bodyMutation, { minLength: 1, maxLength: 4 }),
    encoding,
    contentType,
    authorization,
    extraHeaders: fc.oneof({ weight: 8, arbitrary: fc.constant({} as Record<string, string>) }, { weight: 1, arbitrary: fc.dictionary(headerName, headerValue, { maxKeys: 3 }) }),
  })
  .map(({ focus, otherBody, ...rest }): HttpCase => {
    const body = focus === 'body' || focus === 'everything';
    const headers = focus === 'headers' || focus === 'everything';
    const everything = focus === 'everything';
    return {
      route: rest.route,
      bodyOf: everything && otherBody !== null ? otherBody : rest.route,
      pool: rest.pool,
      method: everything ? rest.method : 'POST',
      path: everything ? rest.path : 'exact',
      mutations: body ? rest.mutations : [],
      encoding: body ? rest.encoding : { kind: 'json' },
      contentType: headers ? rest.contentType : 'application/json',
      authorization: headers ? rest.authorization : { kind: 'valid', index: rest.pool % 3 },
      extraHeaders: headers ? rest.extraHeaders : {},
    };
  });

/** Every path to a value in `value`, as key lists (objects and arrays), the root excluded. */
function pathsOf(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return out;
  for (const [key, child] of Object.entries(value)) {
    const path = [...prefix, Array.isArray(value) ? Number(key) : key];
    out.push(path);
    if (out.length < 500) pathsOf(child, path, out);
  }
  return out;
}

function containerAt(body: any, path: (string | number)[]): { parent: any; key: string | number } {
  let parent = body;
  for (const key of path.slice(0, -1)) parent = parent[key];
  return { parent, key: path.at(-1)! };
}

/** Sets an own, enumerable property, even `__proto__` (a plain assignment would change the prototype instead). */
function defineOwn(target: object, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function mutateJwe(jwe: string, mutation: Extract<BodyMutation, { kind: 'jwe' }>): string {
  const parts = jwe.split('.');
  switch (mutation.how) {
    case 'flip': {
      const at = mutation.at % Math.max(1, jwe.length);
      return jwe.slice(0, at) + (mutation.text || 'A') + jwe.slice(at + 1);
    }
    case 'truncate':
      return jwe.slice(0, mutation.at % Math.max(1, jwe.length));
    case 'dropPart':
      parts.splice(mutation.at % parts.length, 1);
      return parts.join('.');
    case 'header':
      parts[0] = Buffer.from(mutation.text).toString('base64url');
      return parts.join('.');
  }
}

function applyMutation(body: any, mutation: BodyMutation): any {
  if (mutation.kind === 'jwe') {
    const jwe = body?.data?.encryptedPasswordContext;
    if (typeof jwe === 'string') body.data.encryptedPasswordContext = mutateJwe(jwe, mutation);
    return body;
  }
  const paths = pathsOf(body);
  if (mutation.kind !== 'delete') mutation = { ...mutation, value: materialise(mutation.value) };
  if (paths.length === 0) return mutation.kind === 'delete' ? body : mutation.value;
  const { parent, key } = containerAt(body, paths[mutation.at % paths.length]!);
  if (mutation.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else if (mutation.kind === 'replace') {
    defineOwn(parent, key, mutation.value);
  } else {
    const target = parent[key];
    if (target !== null && typeof target === 'object' && !Array.isArray(target)) defineOwn(target, mutation.key, mutation.value);
    else if (!Array.isArray(parent)) defineOwn(parent, mutation.key, mutation.value);
    else parent.push(mutation.value);
  }
  return body;
}

function encode(body: unknown, encoding: Encoding): string {
  const raw: string[] = [];
  const marker = (i: number) => `\u0000raw-${i}\u0000`;
  let json = JSON.stringify(body, (_key, value: unknown) => (value instanceof RawJson ? marker(raw.push(String(value.text)) - 1) : value)) ?? '';
  raw.forEach((text, i) => (json = json.replace(JSON.stringify(marker(i)), () => text)));
  switch (encoding.kind) {
    case 'json':
      return json;
    case 'truncated':
      return json.slice(0, encoding.at % Math.max(1, json.length));
    case 'flipped': {
      const at = encoding.at % Math.max(1, json.length);
      return json.slice(0, at) + encoding.char + json.slice(at + 1);
    }
    case 'raw':
      return encoding.text;
    case 'empty':
      return '';
    case 'overLimit':
      return `{"pad":"${'p'.repeat(64 * 1024 + encoding.extraBytes)}",${json.slice(1)}`;
  }
}

function authorizationHeader(auth: Authorization, server: FuzzServer): string | undefined {
  const valid = server.tokens.valid[0]!;
  switch (auth.kind) {
    case 'valid':
      return `Bearer ${server.tokens.valid[auth.index % server.tokens.valid.length]}`;
    case 'missing':
      return undefined;
    case 'expired':
    case 'notYetValid':
    case 'otherTenant':
    case 'wrongAudience':
    case 'algNone':
    case 'hs256':
    case 'foreignKey':
      return `Bearer ${server.tokens[auth.kind]}`;
    case 'huge':
      return `Bearer ${valid}${'A'.repeat(20_000)}`;
    case 'extraSpaces':
      return `Bearer   ${valid}`;
    case 'trailingSpace':
      return `Bearer ${valid} `;
    case 'scheme':
      return `${auth.scheme} ${valid}`;
    case 'truncated':
      return `Bearer ${valid.slice(0, auth.at % valid.length)}`;
    case 'mutated': {
      const parts = valid.split('.');
      const part = parts[auth.part]!;
      const at = auth.at % Math.max(1, part.length);
      // A change that leaves every decoded byte as it was is no mutation: base64url's last character carries unused
      // bits (a 256-byte RS256 signature is 342 characters, 2 bits spare), and jose, like most decoders, ignores them.
      // Such a token still verifies (the seed 20261203 run found one); take the next character that changes a byte.
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const original = Buffer.from(part, 'base64url');
      for (let step = 0; step < alphabet.length; step++) {
        const char = alphabet[(alphabet.indexOf(auth.char) + step) % alphabet.length]!;
        const mutated = part.slice(0, at) + char + part.slice(at + 1);
        if (!Buffer.from(mutated, 'base64url').equals(original)) {
          parts[auth.part] = mutated;
          break;
        }
      }
      return `Bearer ${parts.join('.')}`;
    }
    case 'random':
      return auth.text;
  }
}

function urlOf(path: string, variant: HttpCase['path']): string {
  switch (variant) {
    case 'exact':
      return path;
    case 'trailingSlash':
      return `${path}/`;
    case 'upperCase':
      return path.toUpperCase();
    case 'query':
      return `${path}?__proto__[x]=1&a=%ZZ`;
    case 'unknown':
      return `${path}-nope`;
    case 'doubleSlash':
      return `/${path}`;
    case 'encoded':
      return path.replace('events', '%65vents');
  }
}

export interface HttpRequest {
  method: HttpCase['method'];
  url: string;
  headers: Record<string, string>;
  payload: string | undefined;
}

/** The request a case describes, against this run's fixtures and tokens. */
export function requestOf(testCase: HttpCase, server: FuzzServer): HttpRequest {
  const target = EVENT_ROUTES[testCase.route]!;
  const source = EVENT_ROUTES[testCase.bodyOf]!;
  let body: any =
    source.path === '/events/password-submit' ? structuredClone(server.passwordBodies[testCase.pool % server.passwordBodies.length]!) : server.validBody(source.path);
  for (const mutation of testCase.mutations) body = applyMutation(body, mutation);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(testCase.extraHeaders)) {
    // A fuzzed Host or framing header would only test the client library; the raw-socket cases cover framing.
    if (['host', 'transfer-encoding', 'content-encoding', 'expect'].includes(name)) continue;
    headers[name] = value;
  }
  if (testCase.contentType !== undefined) headers['content-type'] = testCase.contentType;
  const auth = authorizationHeader(testCase.authorization, server);
  if (auth !== undefined) headers.authorization = auth;
  const sendsBody = testCase.method !== 'GET' && testCase.method !== 'HEAD';
  return { method: testCase.method, url: urlOf(target.path, testCase.path), headers, payload: sendsBody ? encode(body, testCase.encoding) : undefined };
}
