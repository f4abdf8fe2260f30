import { randomUUID } from 'node:crypto';

/** A Graph error body: `{"error": {"code", "message", "innerError": {"date", "request-id", "client-request-id"}}}`. */
export function graphError(code: string, message: string) {
  const requestId = randomUUID();
  return { error: { code, message, innerError: { date: new Date().toISOString().replace(/\.\d{3}Z$/, ''), 'request-id': requestId, 'client-request-id': requestId } } };
}
