import type { GraphBatchClient } from '../../graph/index.js';
import type { UserBodyOptions } from '../graph-user-body.js';
import type { identityLookup } from '../identity-lookup.js';
import type { PremigrateSummary } from '../premigrate-summary.js';
import type { AccountRecords } from './record-accounts.js';
import type { SendAgain } from './send-again.js';

/** What the steps of one batch of accounts share: Graph, the ledger, the summary, the accounts to send again. */
export interface BatchContext {
  graph: GraphBatchClient;
  userBody: UserBodyOptions;
  /** Users by their e-mail identity (GETs: no write budget). */
  lookUp: ReturnType<typeof identityLookup>;
  records: AccountRecords;
  /** This batch's accounts to send again later. */
  again: SendAgain;
  summary: PremigrateSummary;
  abortSignal?: AbortSignal | undefined;
}
