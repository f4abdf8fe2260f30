/**
 * What the server benchmarks share: a `serve` child process (`dist/`, as deployed), OnPasswordSubmit callout bodies
 * as Entra sends them, and an open-loop driver that sends at a fixed rate whatever the answers take.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { encryptPasswordContext } from '../src/emulator/index.js';

const BIN = fileURLToPath(new URL('../bin/entra-migrate.js', import.meta.url));

/** One parsed line of the server's JSON log. */
export interface ServerLogLine {
  msg?: string;
  path?: string;
  status?: number;
  reason?: string;
  code?: string;
  errorCode?: string;
  latencyInMs?: number;
  address?: string;
}

export interface RunningServe {
  child: ChildProcess;
  url: string;
  /** Every log line so far, parsed. */
  log: ServerLogLine[];
  stop(): Promise<void>;
}

/** Starts `entra-migrate serve` with exactly `env` (plus PATH), and resolves with its address once it listens. */
export async function startServe(env: Record<string, string>): Promise<RunningServe> {
  const child = spawn(process.execPath, [BIN, 'serve'], { env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const log: ServerLogLine[] = [];
  let pending = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const entry = JSON.parse(line) as ServerLogLine;
        log.push(entry);
        if (entry.address) resolve(entry.address);
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.on('exit', () => child.kill('SIGKILL'));
  return { child, url, log, stop: async () => { child.kill('SIGTERM'); await exited; } };
}

export interface CalloutIdentity {
  tenantId: string;
  appId: string;
  /** The certificate of the extension's decryption key: the password context is encrypted to it. */
  certificatePem: string;
}

/** An OnPasswordSubmit request body as Entra sends it, for `username` and `password`, with its own nonce. */
export async function calloutBody(identity: CalloutIdentity, username: string, password: string, i: number): Promise<string> {
  return JSON.stringify({
    type: 'microsoft.graph.authenticationEvent.passwordSubmit',
    source: `/tenants/${identity.tenantId}/applications/${identity.appId}`,
    data: {
      '@odata.type': 'microsoft.graph.onPasswordSubmitCalloutData',
      tenantId: identity.tenantId,
      authenticationEventListenerId: '11112222-bbbb-3333-cccc-4444dddd5555',
      customAuthenticationExtensionId: '22223333-cccc-4444-dddd-5555eeee6666',
      encryptedPasswordContext: await encryptPasswordContext({ certificatePem: identity.certificatePem, appId: identity.appId, resourceHost: 'bench.example', password, username, nonce: `n${i}`, now: Date.now() }),
      authenticationContext: {
        correlationId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        client: { ip: '127.0.0.1', locale: 'en-us', market: 'en-us' },
        protocol: 'OAUTH2.0',
        clientServicePrincipal: { id: 'aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb', appId: '00001111-aaaa-2222-bbbb-3333cccc4444', appDisplayName: 'Bench', displayName: 'Bench' },
        resourceServicePrincipal: null,
        user: { id: '00aa00aa-bb11-cc22-dd33-44ee44ee44ee', mail: username, displayName: 'Bench', userPrincipalName: username },
      },
    },
  });
}

export interface CalloutResult {
  ms: number;
  /** The action answered, or `503 <code>` (refused before an answer), or why the connection failed. */
  action: string;
}

/**
 * One callout to `url` with the caller token `token`; resolves with its latency and the action answered (Block
 * means the deadline or overload shed it; `503 DEADLINE_EXCEEDED` that the request could not even be decrypted in
 * time, `503 OVERLOADED` that it was refused on arrival while the event loop was too far behind).
 */
export async function call(url: string, token: string, body: string): Promise<CalloutResult> {
  const t0 = performance.now();
  let response: Response;
  try {
    response = await fetch(`${url}/events/password-submit`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
  } catch {
    return { ms: performance.now() - t0, action: 'connection closed (over MAX_CONNECTIONS)' };
  }
  const action = actionOf(response.status, await response.text());
  return { ms: performance.now() - t0, action };
}

/** The action an answer names (`MigratePassword` …), or `503 <code>`; any other status is the benchmark's failure. */
function actionOf(status: number | undefined, text: string): string {
  const answer = JSON.parse(text) as { data?: { actions?: Array<Record<string, string>> }; error?: { code: string } };
  if (status === 503) return `503 ${answer.error?.code}`;
  if (status !== 200) throw new Error(`unexpected status ${status}`);
  return String(answer.data?.actions?.[0]?.['@odata.type']).split('.').pop()!;
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: 64 });

/**
 * `call` with node:http and kept-alive connections instead of fetch: less of the client's own time in each figure.
 * Without a body, `GET /healthz`: the round trip of this client and the server's HTTP layer alone.
 */
export function leanCall(url: string, token: string, body: string | undefined): Promise<CalloutResult> {
  const t0 = performance.now();
  const target = new URL(body === undefined ? '/healthz' : '/events/password-submit', url);
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const sent = request(target, { agent: keepAlive, method: body === undefined ? 'GET' : 'POST', headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const ms = performance.now() - t0;
        if (body === undefined) return resolve({ ms, action: `status ${response.statusCode}` });
        try {
          resolve({ ms, action: actionOf(response.statusCode, Buffer.concat(chunks).toString('utf8')) });
        } catch (error) {
          reject(error);
        }
      });
    });
    sent.on('error', () => resolve({ ms: performance.now() - t0, action: 'connection closed (over MAX_CONNECTIONS)' }));
    sent.end(body);
  });
}

/** Runs `send(i)` `count` times at `rate` per second whatever the answers take (Entra does not wait for us). */
export async function openLoop<T>(rate: number, count: number, send: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const wait = started + (i * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    inFlight.push(send(i).then((result) => void results.push(result)));
  }
  await Promise.all(inFlight);
  return results;
}

/** `MigratePassword 480, Block 20`: how often each answer came. */
export function tally(actions: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const action of actions) counts.set(action, (counts.get(action) ?? 0) + 1);
  return [...counts].map(([action, n]) => `${action} ${n}`).join(', ');
}
