import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** What the stand-in does with the next sends. */
export type AcsBehaviour =
  /** 202, then the operation reads Succeeded. */
  | 'succeed'
  /** 202, then the operation reads Failed (its error quotes the recipient, as ACS's do). */
  | 'fail'
  /** 400 at once, the error message quoting the recipient and the subject. */
  | 'reject'
  /** 202, and the operation stays Running for ever (ACS queued it). */
  | 'running'
  /** The POST is never answered. */
  | 'hang';

/** One message ACS accepted, as its REST body had it. */
export interface AcsReceivedMail {
  senderAddress: string;
  to: string[];
  subject: string;
  plainText: string;
  html: string;
  headers: Record<string, string>;
}

export interface AcsStandIn {
  endpoint: string;
  /** `endpoint=…;accesskey=…` for OTP_ACS_CONNECTION_STRING. */
  connectionString: string;
  behaviour: AcsBehaviour;
  messages: AcsReceivedMail[];
  /** Requests refused for their HMAC signature (401). */
  refusedSignatures: number;
  close(): Promise<void>;
}

/** How far `x-ms-date` may be from now; ACS refuses requests older than 15 minutes. */
const CLOCK_SKEW_IN_MS = 15 * 60 * 1000;

/**
 * A local stand-in of Azure Communication Services Email's REST API: `POST /emails:send?api-version=…` answered
 * 202 with `Operation-Location`, and `GET /emails/operations/{id}?api-version=…` with the operation's status.
 * Every request must carry ACS's HMAC-SHA256 authentication, checked as ACS does (learn.microsoft.com/rest/api/
 * communication/authentication): `x-ms-date`, `x-ms-content-sha256` = base64 SHA-256 of the body, and
 * `Authorization: HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=…` over
 * `VERB\npath?query\ndate;host;content-hash` with the base64-decoded access key.
 */
export async function startAcsStandIn(options: { behaviour?: AcsBehaviour } = {}): Promise<AcsStandIn> {
  const key = randomBytes(64);
  const operations = new Map<string, 'Succeeded' | 'Failed' | 'Running'>();
  const hanging = new Set<ServerResponse>();
  const state: AcsStandIn = {
    endpoint: '',
    connectionString: '',
    behaviour: options.behaviour ?? 'succeed',
    messages: [],
    refusedSignatures: 0,
    close: async () => undefined,
  };

  const server = createServer(async (request, response) => {
    const body = await readBody(request);
    if (!signedCorrectly(request, body, key)) {
      state.refusedSignatures += 1;
      return json(response, 401, { error: { code: 'Denied', message: 'Denied by the resource provider.' } });
    }
    const url = new URL(request.url ?? '/', 'http://stand-in');
    if (!url.searchParams.get('api-version')) return json(response, 400, { error: { code: 'MissingApiVersionParameter', message: 'The api-version query parameter is required.' } });
    if (request.method === 'POST' && url.pathname === '/emails:send') return send(request, response, body, url);
    const operation = /^\/emails\/operations\/([\w-]+)$/.exec(url.pathname);
    if (request.method === 'GET' && operation) {
      const status = operations.get(operation[1]!);
      if (!status) return json(response, 404, { error: { code: 'NotFound', message: 'Operation not found.' } });
      if (status === 'Failed') return json(response, 200, { id: operation[1], status, error: { code: 'EmailDroppedAllRecipientsSuppressed', message: `Message dropped for ${state.messages.at(-1)?.to.join(', ')}` } });
      return json(response, 200, { id: operation[1], status });
    }
    return json(response, 404, { error: { code: 'NotFound', message: 'Not found.' } });
  });

  function send(request: IncomingMessage, response: ServerResponse, body: string, url: URL) {
    let message: any;
    try {
      message = JSON.parse(body);
    } catch {
      return json(response, 400, { error: { code: 'BadRequest', message: 'The body is not JSON.' } });
    }
    const to: string[] = (message?.recipients?.to ?? []).map((recipient: { address: string }) => recipient.address);
    if (typeof message?.senderAddress !== 'string' || to.length === 0 || typeof message?.content?.subject !== 'string') {
      return json(response, 400, { error: { code: 'BadRequest', message: 'senderAddress, recipients.to and content.subject are required.' } });
    }
    if (state.behaviour === 'hang') {
      hanging.add(response);
      return;
    }
    if (state.behaviour === 'reject') return json(response, 400, { error: { code: 'InvalidRecipient', message: `Invalid recipient ${to.join(', ')} for "${message.content.subject}": ${message.content.plainText}` } });
    state.messages.push({ senderAddress: message.senderAddress, to, subject: message.content.subject, plainText: message.content.plainText, html: message.content.html, headers: message.headers ?? {} });
    const id = (request.headers['operation-id'] as string | undefined) ?? randomUUID();
    operations.set(id, state.behaviour === 'fail' ? 'Failed' : state.behaviour === 'running' ? 'Running' : 'Succeeded');
    response.setHeader('Operation-Location', `${state.endpoint}/emails/operations/${id}?api-version=${url.searchParams.get('api-version')}`);
    return json(response, 202, { id, status: 'Running' });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  state.endpoint = `http://127.0.0.1:${port}`;
  state.connectionString = `endpoint=${state.endpoint}/;accesskey=${key.toString('base64')}`;
  state.close = async () => {
    for (const response of hanging) response.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return state;
}

function signedCorrectly(request: IncomingMessage, body: string, key: Buffer): boolean {
  const date = request.headers['x-ms-date'];
  const contentHash = request.headers['x-ms-content-sha256'];
  const host = request.headers.host;
  const authorization = request.headers.authorization;
  if (typeof date !== 'string' || typeof contentHash !== 'string' || typeof host !== 'string' || typeof authorization !== 'string') return false;
  const sent = Date.parse(date);
  if (!Number.isFinite(sent) || Math.abs(Date.now() - sent) > CLOCK_SKEW_IN_MS) return false;
  if (contentHash !== createHash('sha256').update(body).digest('base64')) return false;
  const match = /^HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=([A-Za-z0-9+/=]+)$/.exec(authorization);
  if (!match) return false;
  const stringToSign = `${request.method}\n${request.url}\n${date};${host};${contentHash}`;
  const expected = createHmac('sha256', key).update(stringToSign).digest();
  const given = Buffer.from(match[1]!, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
