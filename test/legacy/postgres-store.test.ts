import { legacyStoreContract } from './contract/legacy-store-contract.js';
import { postgresFixture } from './sql-fixtures.js';
import { skipUnlessService } from '../support/services.js';

legacyStoreContract(postgresFixture(), await skipUnlessService('postgres'));
