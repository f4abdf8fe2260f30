import { legacyStoreContract } from './contract/legacy-store-contract.js';
import { memoryFixture } from './sql-fixtures.js';

legacyStoreContract(memoryFixture(), false);
