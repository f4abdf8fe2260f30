import type { GraphBatchClient, Sleep } from '../../graph/index.js';
import { addMethods, type MethodsOutcome } from '../authentication-methods.js';
import type { PremigrateSummary } from '../premigrate-summary.js';
import type { AccountInEntra } from './pending-account.js';

export interface RegisterMethodsOptions {
  graph: GraphBatchClient;
  summary: PremigrateSummary;
  /** Which methods to register; none when neither is set. */
  methods: { email?: boolean | undefined; phone?: boolean | undefined };
  /** Sends of one method before it is given up. */
  maxAttempts: number;
  abortSignal?: AbortSignal | undefined;
  sleep?: Sleep | undefined;
  /** For the back-offs' jitter. */
  random?: (() => number) | undefined;
}

/** True when any authentication method is to be registered. */
export function methodsWanted(methods: RegisterMethodsOptions['methods']): boolean {
  return methods.email === true || methods.phone === true;
}

/**
 * Registers the wanted authentication methods of accounts now in Entra (see {@link addMethods}), counting in the
 * summary the methods added and the answers that were throttling.
 *
 * @example
 *   const { problems, unfinished } = await registerMethods(found, { graph, summary, methods: { email: true }, maxAttempts: 8 });
 */
export function registerMethods(accounts: readonly AccountInEntra[], options: RegisterMethodsOptions): Promise<MethodsOutcome> {
  const { summary } = options;
  return addMethods(
    accounts.map(({ account, objectId }) => ({ record: account.record, objectId })),
    {
      graph: options.graph,
      methods: options.methods,
      maxAttempts: options.maxAttempts,
      abortSignal: options.abortSignal,
      sleep: options.sleep,
      random: options.random,
      onAnswer: (_response, added) => {
        if (added) summary.methodsAdded++;
      },
    },
  );
}
