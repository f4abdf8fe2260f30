import { sqlClaimsContract } from './sql-claims-contract.js';
import { sqliteClaimsDatabase } from './sql-fixtures.js';

sqlClaimsContract('SQLite', sqliteClaimsDatabase, false);
