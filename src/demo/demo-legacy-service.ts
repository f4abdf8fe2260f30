import { createServer } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { LegacyAuthority } from '../legacy/index.js';

/** The longest request body the demo service reads; a verify request is a few hundred bytes. */
const MAX_BODY_BYTES = 16 * 1024;

export interface DemoLegacyService {
  /** `http://127.0.0.1:<port>/api/verify`: LEGACY_VERIFY_URL. */
  readonly url: string;
  /** `bearer:<token>`: LEGACY_VERIFY_AUTH, a random token for this run. */
  readonly auth: string;
  close(): Promise<void>;
}

/**
 * The legacy team's side of the web-service store, as docs/legacy-web-service.md asks them to build it: `POST`
 * `{username, password}` with a bearer token, answered `{"valid", "status"?, "id"?}` — the status only after the
 * right password. Here it checks passwords against the demo's seeded SQLite table through `authority`, so the
 * demo with `--legacy web-service` migrates the same 13 hash formats over HTTP.
 *
 * @example
 *   const service = await startDemoLegacyService(authority); // on 127.0.0.1: the extension runs beside it
 *   loadServeConfig({ LEGACY_VERIFY_URL: service.url, LEGACY_VERIFY_AUTH: service.auth, … });
 */
export async function startDemoLegacyService(authority: LegacyAuthority): Promise<DemoLegacyService> {
  const token = randomBytes(24).toString('base64url');
  const expected = Buffer.from(`Bearer ${token}`);
  const server = createServer((request, response) => {
    const answer = (status: number, body?: unknown) => {
      response.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' }).end(body === undefined ? undefined : JSON.stringify(body));
    };
    if (request.method === 'OPTIONS') return answer(204); // serve's readiness probe
    if (request.method !== 'POST' || request.url !== '/api/verify') return answer(404, { error: 'not found' });
    const given = Buffer.from(request.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return answer(401, { error: 'unauthorized' });

    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) request.destroy();
      else chunks.push(chunk);
    });
    request.on('end', () => {
      let attempt: { username: string; password: string; email: string | null; objectId: string };
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        if (typeof body.username !== 'string' || typeof body.password !== 'string') throw new Error('shape');
        attempt = { username: body.username, password: body.password, email: typeof body.email === 'string' ? body.email : null, objectId: String(body.objectId ?? '') };
      } catch {
        return answer(400, { error: 'a JSON object with username and password' });
      }
      authority
        .checkPassword(attempt, { abortSignal: AbortSignal.timeout(1000), deadlineAt: Date.now() + 1000 })
        .then((check) => {
          switch (check.outcome) {
            case 'correct':
              return answer(200, { valid: true, status: 'active', ...(check.legacyId !== null && { id: check.legacyId }) });
            case 'blocked':
              return answer(200, { valid: true, status: 'locked', ...(check.legacyId !== null && { id: check.legacyId }) });
            case 'wrong':
              return answer(200, { valid: false, ...(check.legacyId !== null && { id: check.legacyId }) });
            case 'unknown':
              return answer(200, { valid: false });
          }
        })
        .catch(() => answer(503, { error: 'the user table cannot be read' }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/api/verify`,
    auth: `bearer:${token}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
