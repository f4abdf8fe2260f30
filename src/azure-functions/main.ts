/**
 * The Function App's entry point (package.json `"main": "dist/azure-functions/main.js"`): the Node worker imports
 * it once per instance, and it registers every function from the application settings. A setting that is wrong
 * stops the load here, with the message naming it in the Functions host's log.
 */
import { registerFunctions } from './register.js';

registerFunctions();
