import { legacyStoreContract } from './contract/legacy-store-contract.js';
import { mysqlFixture } from './sql-fixtures.js';
import { skipUnlessService } from '../support/services.js';

legacyStoreContract(mysqlFixture(), await skipUnlessService('mariadb'));
