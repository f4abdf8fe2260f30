import { isLoopbackHost } from '../common/loopback.js';
import { SecurityError, SecurityErrorCode } from './errors.js';

export interface FetchJsonOptions {
  fetch: typeof globalThis.fetch;
  timeoutInMs: number;
  maxBytes: number;
}

/**
 * GETs a JSON document for key discovery: `https:` only (`http:` for loopback hosts, i.e. the emulator), no
 * redirects, a timeout, and a size cap enforced while reading. Failures are `SIGNING_KEYS_UNAVAILABLE` naming the
 * URL (these URLs hold no secret).
 */
export async function fetchJson(url: string, options: FetchJsonOptions): Promise<unknown> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw unavailable(`${url} is not a URL`);
  }
  if (!(parsed.protocol === 'https:' || (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname)))) {
    throw unavailable(`${parsed.href} must be https (http is accepted for loopback hosts only)`);
  }
  let response: Response;
  try {
    response = await options.fetch(parsed.href, {
      redirect: 'error',
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(options.timeoutInMs),
    });
  } catch (error) {
    const why = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${options.timeoutInMs} ms` : 'unreachable';
    throw unavailable(`${parsed.href}: ${why}`, error);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw unavailable(`${parsed.href} answered HTTP ${response.status}`);
  }
  const text = await readCapped(response, options.maxBytes, parsed.href);
  try {
    return JSON.parse(text);
  } catch {
    throw unavailable(`${parsed.href} did not answer JSON`);
  }
}

async function readCapped(response: Response, maxBytes: number, url: string): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw unavailable(`${url} answered ${declared} bytes; at most ${maxBytes} are read`);
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    length += chunk.byteLength;
    if (length > maxBytes) throw unavailable(`${url} answered more than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function unavailable(detail: string, cause?: unknown): SecurityError {
  return new SecurityError(SecurityErrorCode.SIGNING_KEYS_UNAVAILABLE, "Entra's signing keys could not be fetched.", { detail, cause });
}
