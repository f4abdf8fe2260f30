import { legacyStoreContract } from './contract/legacy-store-contract.js';
import { sqliteFixture } from './sql-fixtures.js';

legacyStoreContract(sqliteFixture(), false);
