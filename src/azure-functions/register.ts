import functions, { type HttpFunctionOptions, type HttpHandler, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { openExtension, type Extension, type ExtensionOptions } from '../app/index.js';
import { systemClock, type Clock } from '../common/clock.js';
import { ConfigError, type RawSettings, type ServeConfig } from '../config/index.js';
import { EntraMigrateError } from '../common/errors.js';
import { createLogger, type Logger } from '../common/logger.js';
import { beforeDeadline, DEADLINE_EXCEEDED } from '../handlers/index.js';
import { consoleDestination } from './console-destination.js';
import { FunctionsError, FunctionsErrorCode } from './errors.js';
import { FUNCTION_ROUTES, type FunctionRoute } from './function-routes.js';
import { loadFunctionsConfig } from './functions-config.js';
import { errorResponse, toResponseInit, toServeRequest } from './http-adapter.js';

/** What registers HTTP functions: `app` from `@azure/functions`, or a stand-in that keeps the handlers (tests). */
export interface FunctionRegistrar {
  http(name: string, options: HttpFunctionOptions): void;
}

export interface RegisterFunctionsOptions {
  /** The application settings; default `process.env`. The same variables `serve` reads (docs/settings.md). */
  env?: RawSettings;
  /** Default `app` from `@azure/functions`. */
  app?: FunctionRegistrar;
  /** Default: pino at LOG_LEVEL, through the console so the Functions host filters and ships it. */
  logger?: Logger;
  clock?: Clock;
  /** Passed to `openExtension`: Entra's metadata `fetch`, the Key Vault client factory (tests, proxies). */
  extension?: Partial<Omit<ExtensionOptions, 'logger' | 'clock'>>;
  /** Opens the extension; default `openExtension`, exactly as `serve` does. */
  open?: (config: ServeConfig, options: ExtensionOptions) => Promise<Extension>;
}

/** The functions registered, and the extension behind them. */
export interface RegisteredFunctions {
  /** The names given to `app.http`, in order. */
  readonly names: readonly string[];
  readonly config: ServeConfig;
  /** Settles when the extension is open (keys, ledger, legacy store); rejects with why it could not open. */
  ready(): Promise<Extension>;
  /** Closes the extension (pools, files); the Functions host calls nothing of the kind, tests do. */
  close(): Promise<void>;
}

/**
 * After a failed open (Key Vault or the ledger not reachable yet), how long callouts are answered 503 before the
 * next call tries again, in ms: long enough that a failing dependency is not asked at Entra's rate of up to 50 calls
 * a second, short enough that the Function App recovers within seconds of it.
 */
const REOPEN_COOLDOWN_IN_MS = 5000;

const registered = new WeakSet<FunctionRegistrar>();

/**
 * Registers one HTTP function per Entra event, with its probe, and the `healthz` and `readyz` probes, on the Azure
 * Functions v4 programming model. Each answers exactly as `serve` answers the same path: the settings are `serve`'s
 * (plus a PostgreSQL ledger), the extension is opened by `openExtension` (keys from files or from Key Vault through the
 * managed identity, the legacy store, the ledger), and each call goes through `serve`'s own server in process
 * (`inject`: its deadline guard, caller-token check, body limit, schemas, handlers and ledger rows), with no port.
 *
 * The settings are read here, at once: a wrong one throws `ConfigError` naming it, the worker refuses to load the app,
 * and the Functions host shows the message. The extension opens in the background from here; a call arriving before
 * it is open waits for it inside its deadline (503 `DEADLINE_EXCEEDED` past it, as `serve` answers), and one
 * arriving after a failed open gets 503 `EXTENSION_UNAVAILABLE` while the failure is logged.
 *
 * @example
 *   // dist/azure-functions/main.js, the Function App's entry point (package.json "main")
 *   registerFunctions();
 */
export function registerFunctions(options: RegisterFunctionsOptions = {}): RegisteredFunctions {
  const app = options.app ?? functions.app;
  if (registered.has(app)) {
    throw new FunctionsError(FunctionsErrorCode.ALREADY_REGISTERED, 'The entra-migrate functions are already registered on this app: call registerFunctions once, from the entry point.');
  }
  const config = loadFunctionsConfig(options.env ?? process.env);
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger({ level: config.logLevel, destination: consoleDestination() });
  const log = logger.child({ name: 'azure-functions' });
  const open = options.open ?? openExtension;

  let opening: Promise<Extension> | undefined;
  let failedAt: number | undefined;
  let closed = false;
  /** The extension, opened once; after a failure, opened again by the first call past the cooldown. */
  const extension = (): Promise<Extension> => {
    if (closed) return Promise.reject(new FunctionsError(FunctionsErrorCode.EXTENSION_UNAVAILABLE, 'The extension is closed.'));
    if (opening && !(failedAt !== undefined && clock() - failedAt >= REOPEN_COOLDOWN_IN_MS)) return opening;
    failedAt = undefined;
    opening = open(config, { ...options.extension, logger, clock }).catch((error: unknown) => {
      failedAt = clock();
      log.error({ code: codeOf(error), reason: reasonOf(error) }, `the extension could not open; callouts are answered 503 and it is tried again after ${REOPEN_COOLDOWN_IN_MS / 1000} s`);
      throw new FunctionsError(FunctionsErrorCode.EXTENSION_UNAVAILABLE, 'The extension is not available; see its log.', { cause: error });
    });
    return opening;
  };
  extension().catch(() => undefined); // start now: the first callout should not pay for Key Vault and the ledger

  const routes = FUNCTION_ROUTES.filter((route) => route.answeredWith(config));
  for (const route of routes) {
    app.http(route.name, {
      route: route.route,
      methods: [...route.methods],
      // Entra authenticates with its own bearer token, checked by the extension (Functions keys are not sent).
      authLevel: 'anonymous',
      handler: handlerFor(route, { config, clock, extension, log }),
    });
  }
  registered.add(app);
  log.info({ functions: routes.map(({ name }) => name) }, 'entra-migrate functions registered');

  return {
    names: routes.map(({ name }) => name),
    config,
    ready: extension,
    async close() {
      closed = true;
      const opened = await opening?.catch(() => undefined);
      await opened?.close();
    },
  };
}

interface HandlerDeps {
  config: ServeConfig;
  clock: Clock;
  extension: () => Promise<Extension>;
  log: Logger;
}

/**
 * The handler of one function: the call handed to `serve`'s server at the path it answers, within the route's
 * deadline counted from the call's arrival in the worker (the server counts its own from when it is handed the call,
 * later only while the extension is still opening, so this bound is the one that holds then).
 */
function handlerFor(route: FunctionRoute, deps: HandlerDeps): HttpHandler {
  const path = `/${route.route}`;
  const deadlineInMs = route.deadlineInMs(deps.config);
  return async (request: HttpRequest): Promise<HttpResponseInit> => {
    const receivedAt = deps.clock();
    const answer = async (): Promise<HttpResponseInit> => {
      try {
        const { server } = await deps.extension();
        return toResponseInit(await server.inject(await toServeRequest(request, path)));
      } catch (error) {
        if (error instanceof FunctionsError) return errorResponse(503, { error: { code: error.code, message: error.publicMessage } }, { 'retry-after': String(REOPEN_COOLDOWN_IN_MS / 1000) });
        deps.log.error({ errorName: error instanceof Error ? error.name : 'unknown', code: codeOf(error), path }, 'unexpected error');
        return errorResponse(500, { error: { code: 'INTERNAL_ERROR', message: 'The extension could not process the request.' } });
      }
    };
    return beforeDeadline(
      answer,
      () => {
        deps.log.warn({ code: 'DEADLINE_EXCEEDED', path, detail: 'the call had not reached its answer by the deadline' }, 'request not answerable now');
        return errorResponse(503, DEADLINE_EXCEEDED);
      },
      receivedAt + deadlineInMs,
      deps.clock,
    );
  };
}

function codeOf(error: unknown): string {
  return error instanceof EntraMigrateError ? error.code : error instanceof Error ? error.name : 'UNKNOWN';
}

/** What to log about a failed open: our errors' internal detail (never a secret), else the error's name only. */
function reasonOf(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  if (error instanceof EntraMigrateError) return `${error.publicMessage} ${error.message}`.slice(0, 500);
  const systemCode = (error as { code?: unknown } | null)?.code;
  return error instanceof Error ? `${error.name}${typeof systemCode === 'string' ? ` ${systemCode}` : ''}` : 'a non-error was thrown';
}
