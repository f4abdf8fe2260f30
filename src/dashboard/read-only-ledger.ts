import { LedgerError, LedgerErrorCode, type Ledger } from '../ledger/index.js';

/** The ledger's methods that write: the dashboard never calls them. */
const WRITES = ['recordDecision', 'recordAccount', 'recordReconciliation', 'recordMark', 'recordProfile', 'recordEventCall', 'recordBulkRun'] as const satisfies ReadonlyArray<keyof Ledger>;

/**
 * The ledger as the dashboard holds it: every read passes through, every write rejects (`LEDGER_RECORD_INVALID`),
 * so no route, now or later, can change the migration's record. Opening the ledger still brings its schema up to
 * date, as `status` does; a read-only connection would need an option of the ledger drivers.
 *
 * @example
 *   const ledger = readOnlyLedger(await openLedger(url));
 *   await ledger.recordDecision(record); // rejects: the dashboard reads only
 */
export function readOnlyLedger(ledger: Ledger): Ledger {
  const refuse = async () => {
    throw new LedgerError(LedgerErrorCode.RECORD_INVALID, 'The dashboard reads the ledger only; nothing was written.');
  };
  return new Proxy(ledger, {
    get(target, property, receiver) {
      if ((WRITES as readonly PropertyKey[]).includes(property)) return refuse;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
