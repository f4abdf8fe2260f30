/**
 * The scale bench's callouts: bodies made once per account and given a fresh correlation id per request (so every
 * decision can be found in the ledger, one row each), and answers read as a sign-in would see them.
 */
import { calloutBody, type CalloutIdentity } from '../callouts.js';

/** The i-th callout's correlation id, as bench/callouts.ts writes it. */
export function correlationIdOf(i: number): string {
  return `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
}

/** The number back from a correlation id of {@link correlationIdOf}; NaN for any other. */
export function indexOfCorrelationId(id: string): number {
  const match = /^00000000-0000-4000-8000-(\d{12})$/.exec(id);
  return match ? Number(match[1]) : Number.NaN;
}

/** Marks where the correlation id goes in a template; no real callout of a run gets this index. */
const TEMPLATE_INDEX = 999_999_999_999;
const TEMPLATE_ID = `"correlationId":"${correlationIdOf(TEMPLATE_INDEX)}"`;

/**
 * One OnPasswordSubmit body per account, the password context encrypted once: the encryption is the caller's
 * (Entra's) work, not the server's, and redoing it per request would take a core's share from the replicas. The
 * contexts are valid for 10 minutes (PASSWORD_CONTEXT_LIFETIME_IN_SECONDS), so a run makes them again for each phase.
 */
export async function bodyTemplates(identity: CalloutIdentity, accounts: readonly string[], password: string): Promise<string[]> {
  return Promise.all(accounts.map((account) => calloutBody(identity, account, password, TEMPLATE_INDEX)));
}

/** `template` with the correlation id of callout `i`. */
export function withCorrelation(template: string, i: number): string {
  return template.replace(TEMPLATE_ID, `"correlationId":"${correlationIdOf(i)}"`);
}

interface AnswerPayload {
  data?: { actions?: Array<{ '@odata.type'?: string; title?: string }> };
  error?: { code?: string };
}

/**
 * What a callout was answered: `MigratePassword`, `Retry`, `Block (too many attempts)`, `Block (locked)`,
 * `Block (unavailable)`, or `HTTP 503 OVERLOADED` and the like for anything but a 200.
 */
export function answerOf(status: number, payload: unknown): string {
  const answer = (payload ?? {}) as AnswerPayload;
  if (status !== 200) return `HTTP ${status} ${answer.error?.code ?? ''}`.trim();
  const action = answer.data?.actions?.[0];
  const type = String(action?.['@odata.type']).split('.').pop()!;
  if (type !== 'Block') return type;
  const why = action?.title === 'Too many attempts' ? 'too many attempts' : action?.title === 'Sign-in blocked' ? 'locked' : 'unavailable';
  return `Block (${why})`;
}

/**
 * Sends `bodies` to `url` with `concurrency` in flight (1: one after another, in order) and resolves with each one's
 * answer, in the order of `bodies`.
 */
export async function sendAll(url: string, token: string, bodies: readonly string[], concurrency: number): Promise<string[]> {
  const answers: string[] = new Array(bodies.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, bodies.length) }, async () => {
      while (next < bodies.length) {
        const k = next++;
        try {
          const response = await fetch(`${url}/events/password-submit`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: bodies[k] });
          answers[k] = answerOf(response.status, await response.json().catch(() => undefined));
        } catch (error) {
          answers[k] = `connection failed (${(error as Error).message})`;
        }
      }
    }),
  );
  return answers;
}
