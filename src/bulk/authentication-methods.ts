import { backoffInMs, MAX_BATCH_SIZE, sleepUnlessAborted, type BatchRequest, type BatchResponse, type GraphBatchClient, type Sleep } from '../graph/index.js';
import { ALREADY_EXISTS, codeOf, isTransient, messageOf } from './graph-answers.js';
import type { LegacyRecord } from './legacy-record.js';

export interface MethodsOptions {
  graph: GraphBatchClient;
  /** Which methods to register: the account's e-mail, its phone (when the record has one) as a mobile phone. */
  methods: { email?: boolean; phone?: boolean };
  /** Sends of one method before it is given up. */
  maxAttempts: number;
  abortSignal?: AbortSignal;
  sleep?: Sleep;
  /** For the back-offs' jitter. */
  random?: () => number;
  /** Each answer Graph gave, for the summary's counts. */
  onAnswer(response: BatchResponse, added: boolean): void;
}

export interface MethodsOutcome {
  /** Legacy id → why a method could not be added. */
  problems: Map<string, string>;
  /** Legacy ids whose methods were not all tried because the run was stopped: their accounts stay pending. */
  unfinished: Set<string>;
}

/**
 * Registers the wanted authentication methods of accounts now in Entra, 20 to a `$batch`, sending again, after a
 * jittered back-off, those Graph answered with throttling, a failed dependency or a server error. A method that already exists counts as added,
 * so a resumed run may ask again safely. After an abort no method batch is started.
 *
 * @example
 *   const { problems } = await addMethods([{ record, objectId }], { graph, methods: { email: true }, maxAttempts: 8, onAnswer });
 */
export async function addMethods(accounts: ReadonlyArray<{ record: LegacyRecord; objectId: string }>, options: MethodsOptions): Promise<MethodsOutcome> {
  const outcome: MethodsOutcome = { problems: new Map(), unfinished: new Set() };
  let requests: Array<{ legacyId: string; request: BatchRequest; attempts: number }> = [];
  for (const { record, objectId } of accounts) {
    const base = `/users/${encodeURIComponent(objectId)}/authentication`;
    if (options.methods.email) requests.push({ legacyId: record.id, attempts: 0, request: { id: '', method: 'POST', url: `${base}/emailMethods`, body: { emailAddress: record.email } } });
    if (options.methods.phone && record.phone) {
      requests.push({ legacyId: record.id, attempts: 0, request: { id: '', method: 'POST', url: `${base}/phoneMethods`, body: { phoneNumber: record.phone, phoneType: 'mobile' } } });
    }
  }
  for (let round = 0; requests.length > 0; round++) {
    // Methods sent again wait a jittered back-off first: they failed transiently, were throttled, or a dependency failed.
    if (round > 0) await sleepUnlessAborted(options.sleep, backoffInMs(round - 1, { random: options.random }), options.abortSignal);
    const again: typeof requests = [];
    for (let i = 0; i < requests.length; i += MAX_BATCH_SIZE) {
      if (options.abortSignal?.aborted) {
        for (const entry of requests.slice(i)) outcome.unfinished.add(entry.legacyId);
        break;
      }
      const chunk = requests.slice(i, i + MAX_BATCH_SIZE);
      const responses = await options.graph.send(
        chunk.map((entry, j) => ({ ...entry.request, id: String(j) })),
        { abortSignal: options.abortSignal },
      );
      responses.forEach((response, j) => {
        const entry = chunk[j]!;
        entry.attempts++;
        const what = entry.request.url.endsWith('emailMethods') ? 'e-mail' : 'phone';
        const added = response.status === 201 || (response.status === 400 && ALREADY_EXISTS.test(messageOf(response)));
        options.onAnswer(response, added);
        if (added) return;
        if (isTransient(response.status) && entry.attempts < options.maxAttempts) again.push(entry);
        else outcome.problems.set(entry.legacyId, `the ${what} method was not added: HTTP ${response.status} ${codeOf(response)}`.trim());
      });
    }
    if (options.abortSignal?.aborted) for (const entry of again) outcome.unfinished.add(entry.legacyId);
    requests = options.abortSignal?.aborted ? [] : again;
  }
  return outcome;
}
