export { consoleDestination } from './console-destination.js';
export { FunctionsError, FunctionsErrorCode } from './errors.js';
export { FUNCTION_ROUTES, PROBE_DEADLINE_IN_MS, type FunctionRoute } from './function-routes.js';
export { loadFunctionsConfig } from './functions-config.js';
export { errorResponse, toResponseInit, toServeRequest } from './http-adapter.js';
export { registerFunctions, type FunctionRegistrar, type RegisteredFunctions, type RegisterFunctionsOptions } from './register.js';
