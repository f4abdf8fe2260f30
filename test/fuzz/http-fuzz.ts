import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import type { ZodType } from 'zod';
import {
  attributeCollectionStartResponseSchema,
  attributeCollectionSubmitResponseSchema,
  otpSendResponseSchema,
  passwordSubmitResponseSchema,
  tokenIssuanceStartResponseSchema,
} from '../../src/events/index.js';
import { CANARY_OTP_CODE, CANARY_PASSWORDS } from '../support/canaries.js';
import { acceptsToken, httpCase, requestOf, type HttpCase, type HttpRequest } from './http-cases.js';
import { EVENT_ROUTES, type EventPath, type FuzzServer } from './fuzz-server.js';

/** Each event's response schema (src/events): a 200 must parse with it, as Entra's own check would (1003003). */
const RESPONSE_SCHEMAS: Record<EventPath, ZodType> = {
  '/events/password-submit': passwordSubmitResponseSchema,
  '/events/attribute-collection-start': attributeCollectionStartResponseSchema,
  '/events/attribute-collection-submit': attributeCollectionSubmitResponseSchema,
  '/events/token-issuance-start': tokenIssuanceStartResponseSchema,
  '/events/otp-send': otpSendResponseSchema,
};

const SECRETS = [...Object.values(CANARY_PASSWORDS), CANARY_OTP_CODE];

export interface Answer {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

/**
 * What is wrong with one answer (empty when nothing is): a 500 at all; an answer after the deadline; a 200 that is not
 * its event's schema-valid response, or for a body of another event, or without a valid caller token, or echoing a
 * nonce other than the context's; a refusal that is not exactly `{ error: { code, message } }`; a secret in the body.
 */
export function problemsOf(testCase: HttpCase, request: HttpRequest, answer: Answer, elapsedInMs: number, server: FuzzServer, transport: 'inject' | 'socket'): string[] {
  const problems: string[] = [];
  const route = EVENT_ROUTES[testCase.route]!;
  const status = answer.statusCode;
  if (status === 500 || status < 200 || status > 599) problems.push(`status ${status}`);
  if (elapsedInMs > server.responseDeadlineInMs) problems.push(`answered after ${Math.round(elapsedInMs)} ms (deadline ${server.responseDeadlineInMs} ms)`);
  for (const secret of SECRETS) if (answer.body.includes(secret)) problems.push('a canary password or code in the answer');
  if (request.method === 'HEAD') return problems;
  if (!String(answer.headers['content-type'] ?? '').startsWith('application/json')) problems.push(`content-type ${String(answer.headers['content-type'])}`);
  let json: any;
  try {
    json = JSON.parse(answer.body);
  } catch {
    problems.push(`a body that is not JSON (${answer.body.length} bytes)`);
    return problems;
  }
  const accepted = acceptsToken(testCase.authorization);
  const tokenPasses = accepted === 'yes' || (accepted === 'either' && transport === 'socket');
  if (status === 200) {
    if (request.method === 'GET') {
      if (json?.status !== 'ok' || json?.event !== route.event || Object.keys(json).length !== 2) problems.push('a probe answer other than { status: ok, event }');
      return problems;
    }
    if (request.method !== 'POST') problems.push(`200 to ${request.method}`);
    if (accepted === 'no' || (accepted === 'either' && transport === 'inject')) problems.push(`200 with a refused token (${testCase.authorization.kind})`);
    if (testCase.bodyOf !== testCase.route) problems.push(`200 for a ${EVENT_ROUTES[testCase.bodyOf]!.event} body`);
    const parsed = RESPONSE_SCHEMAS[route.path].safeParse(json);
    if (!parsed.success) problems.push(`200 not valid against the ${route.event} response schema: ${parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ').slice(0, 300)}`);
    if (route.path === '/events/password-submit' && json?.data?.nonce !== server.passwordNonces[testCase.pool % server.passwordNonces.length]) problems.push('a password answer echoing another nonce');
    return problems;
  }
  const error = json?.error;
  const exact = json && typeof json === 'object' && Object.keys(json).length === 1 && error && typeof error === 'object' && Object.keys(error).sort().join(',') === 'code,message';
  if (!exact || typeof error.code !== 'string' || typeof error.message !== 'string' || error.code === '' || error.message === '') {
    problems.push(`${status} with a body that is not { error: { code, message } }: ${answer.body.slice(0, 200)}`);
  }
  if (status === 401 && !String(answer.headers['www-authenticate'] ?? '').startsWith('Bearer')) problems.push('401 without WWW-Authenticate: Bearer');
  // A refused token stops the request before its body is read: nothing but 401 (or a 503 of the deadline guard, or
  // over a socket Node's 431 for headers over 16 KiB, before any route).
  const onTheRoute = request.method === 'POST' && (testCase.path === 'exact' || testCase.path === 'query');
  const headersTooLarge = status === 431 && transport === 'socket' && testCase.authorization.kind === 'huge';
  if (onTheRoute && !tokenPasses && accepted !== 'either' && status !== 401 && status !== 503 && !headersTooLarge) problems.push(`${status} (${error?.code}) for a refused token (${testCase.authorization.kind}); expected 401`);
  return problems;
}

/** Counts of what the run answered, for the report. */
export interface FuzzTally {
  requests: number;
  byStatus: Record<string, number>;
  byCode: Record<string, number>;
  /** Slowest answer, in ms. */
  maxElapsedInMs: number;
}

function tally(tallied: FuzzTally, answer: Answer, elapsedInMs: number): void {
  tallied.requests++;
  tallied.byStatus[answer.statusCode] = (tallied.byStatus[answer.statusCode] ?? 0) + 1;
  let code = String(answer.statusCode);
  try {
    const body = JSON.parse(answer.body);
    code = body?.error?.code ?? body?.data?.actions?.[0]?.['@odata.type']?.split('.').pop() ?? code;
  } catch {
    // counted under its status
  }
  tallied.byCode[code] = (tallied.byCode[code] ?? 0) + 1;
  tallied.maxElapsedInMs = Math.max(tallied.maxElapsedInMs, elapsedInMs);
}

export const newTally = (): FuzzTally => ({ requests: 0, byStatus: {}, byCode: {}, maxElapsedInMs: 0 });

/** A full collection, then this process's resident set size in bytes (the test runner does not pass --expose-gc). */
export function residentAfterGc(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().rss;
}

export interface InjectRunResult {
  tally: FuzzTally;
  rssAfterWarmUpInBytes: number;
  rssAfterRunInBytes: number;
  durationInMs: number;
}

/**
 * `runs` generated requests through `app.inject`, one after another, each answer checked by {@link problemsOf}; the
 * first failure is shrunk by fast-check and thrown with its seed and path (replay with FUZZ_SEED, FUZZ_PATH). RSS is
 * read after `warmUpRuns` requests and at the end.
 */
export async function runInjectFuzz(server: FuzzServer, options: { seed: number; runs: number; warmUpRuns: number; path?: string | undefined }): Promise<InjectRunResult> {
  const tallied = newTally();
  let calls = 0;
  let rssAfterWarmUpInBytes = 0;
  const startedAt = performance.now();
  await fc.assert(
    fc.asyncProperty(httpCase, async (testCase) => {
      calls++;
      if (calls === options.warmUpRuns) rssAfterWarmUpInBytes = residentAfterGc();
      if (calls % 500 === 0) await server.refreshIfOlderThan(5 * 60_000);
      const request = requestOf(testCase, server);
      const sentAt = performance.now();
      const response = await server.app.inject({ method: request.method, url: request.url, headers: request.headers, ...(request.payload !== undefined && { payload: request.payload }) });
      const elapsed = performance.now() - sentAt;
      const answer = { statusCode: response.statusCode, headers: response.headers, body: response.body };
      tally(tallied, answer, elapsed);
      const problems = problemsOf(testCase, request, answer, elapsed, server, 'inject');
      if (problems.length > 0) throw new Error(`${request.method} ${request.url} → ${problems.join(' | ')}`);
    }),
    { seed: options.seed, numRuns: options.runs, ...(options.path !== undefined && { path: options.path }), includeErrorInReport: true },
  );
  return { tally: tallied, rssAfterWarmUpInBytes: rssAfterWarmUpInBytes || residentAfterGc(), rssAfterRunInBytes: residentAfterGc(), durationInMs: performance.now() - startedAt };
}

/** One request over a real connection (keep-alive agent), its answer, or the client error when the server hung up. */
function send(port: number, agent: http.Agent, request: HttpRequest): Promise<Answer | { error: string }> {
  return new Promise((resolve) => {
    // Framed by its length always: Node sends a DELETE's or OPTIONS' body unframed otherwise, read as a second request.
    const headers = request.payload === undefined ? request.headers : { ...request.headers, 'content-length': String(Buffer.byteLength(request.payload)) };
    const outgoing = http.request({ host: '127.0.0.1', port, agent, method: request.method, path: request.url, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ statusCode: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', (error) => resolve({ error: (error as NodeJS.ErrnoException).code ?? error.message }));
    });
    outgoing.on('error', (error) => resolve({ error: (error as NodeJS.ErrnoException).code ?? error.message }));
    outgoing.end(request.payload);
  });
}

export interface SocketRunResult {
  tally: FuzzTally;
  /** Requests the server ended the connection on before answering (over-limit bodies it stopped reading). */
  hungUp: number;
  failures: string[];
}

/**
 * `runs` generated requests over a real socket on loopback, `concurrency` at a time: the same checks, with Node's
 * own HTTP parser in front (a header over 16 KiB is its 431, answered by server/client-errors.ts). A connection closed
 * before an answer counts as a failure unless the request was one the server may stop reading (a body or a header
 * over its limit); a reset of any other request — a neighbour on a reused connection — is a failure.
 */
export async function runSocketFuzz(server: FuzzServer, options: { seed: number; runs: number; concurrency: number }): Promise<SocketRunResult> {
  if (!server.app.server.listening) await server.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = server.app.server.address() as AddressInfo;
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const cases = fc.sample(httpCase, { seed: options.seed, numRuns: options.runs });
  const tallied = newTally();
  const failures: string[] = [];
  let hungUp = 0;
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const index = next++;
      const testCase = cases[index]!;
      const request = requestOf(testCase, server);
      const sentAt = performance.now();
      // Huge headers share the keep-alive connections too: the 431 says `Connection: close`, so no request reuses
      // the socket the server then closes (without it, the next request on that socket was reset: ECONNRESET).
      const answer = await send(port, agent, request);
      const elapsed = performance.now() - sentAt;
      if ('error' in answer) {
        // The server stops reading these and closes: a client still sending its body may see the reset, not the answer.
        const mayHangUp = testCase.encoding.kind === 'overLimit' || testCase.authorization.kind === 'huge';
        if (mayHangUp) hungUp++;
        else failures.push(`case ${index}: ${request.method} ${request.url} (${request.payload?.length ?? 0}-character body, ${testCase.encoding.kind}, token ${testCase.authorization.kind}) → connection error ${answer.error}`);
        continue;
      }
      tally(tallied, answer, elapsed);
      const problems = problemsOf(testCase, request, answer, elapsed, server, 'socket');
      if (problems.length > 0) failures.push(`case ${index}: ${request.method} ${request.url} → ${problems.join(' | ')}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return { tally: tallied, hungUp, failures };
}

/** The seed of this run: FUZZ_SEED when set (a replay), otherwise a fresh one. */
export function seedOf(env: NodeJS.ProcessEnv): number {
  const given = env.FUZZ_SEED;
  if (given !== undefined && given !== '') {
    const seed = Number(given);
    if (!Number.isInteger(seed)) throw new Error(`FUZZ_SEED must be an integer; got ${JSON.stringify(given)}.`);
    return seed;
  }
  return Math.floor(Math.random() * 2 ** 31);
}

/** FUZZ_RUNS when set, otherwise `fallback`. */
export function runsOf(env: NodeJS.ProcessEnv, fallback: number): number {
  const given = env.FUZZ_RUNS;
  if (given === undefined || given === '') return fallback;
  const runs = Number(given);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`FUZZ_RUNS must be a positive integer; got ${JSON.stringify(given)}.`);
  return runs;
}
