import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { FUNCTION_ROUTES, PROBE_DEADLINE_IN_MS } from '../../src/azure-functions/index.js';

const hostJson = JSON.parse(await readFile(new URL('../../host.json', import.meta.url), 'utf8'));
const funcignore = (await readFile(new URL('../../.funcignore', import.meta.url), 'utf8')).split('\n').filter((line) => line && !line.startsWith('#'));

/** Entra waits at most 2000 ms for any callout (`timeoutInMilliseconds` ≤ 2000). */
const ENTRA_LONGEST_WAIT_IN_MS = 2000;

function durationInMs(text: string): number {
  const match = /^(\d{2}):(\d{2}):(\d{2})$/.exec(text);
  assert.ok(match, `functionTimeout ${text} is hh:mm:ss`);
  return ((Number(match[1]) * 60 + Number(match[2])) * 60 + Number(match[3])) * 1000;
}

test('host.json: no route prefix, so a targetUrl ends in the same path for serve and for the Function App', () => {
  assert.equal(hostJson.version, '2.0');
  assert.equal(hostJson.extensions.http.routePrefix, '');
  for (const { route } of FUNCTION_ROUTES) assert.ok(!route.startsWith('/') && !route.startsWith('admin') && !route.startsWith('runtime'), `${route} is not a path the host reserves`);
});

test('host.json: the function timeout is a backstop above every deadline, inside what a Consumption plan allows', () => {
  const timeoutInMs = durationInMs(hostJson.functionTimeout);
  assert.ok(timeoutInMs > Math.max(ENTRA_LONGEST_WAIT_IN_MS, PROBE_DEADLINE_IN_MS) * 2, `${timeoutInMs} ms leaves room over the deadlines`);
  assert.ok(timeoutInMs >= 1000 && timeoutInMs <= 10 * 60 * 1000, 'Consumption plans accept 1 s to 10 min');
});

test('host.json: no host queue the deadline cannot see, no dynamic 429s, no retry policy (Entra retries once itself)', () => {
  const http = hostJson.extensions.http;
  assert.ok(Number.isInteger(http.maxConcurrentRequests) && http.maxConcurrentRequests >= 100, 'room for 50 callouts a second, each up to 2 s');
  assert.ok(http.maxOutstandingRequests <= http.maxConcurrentRequests, 'a call the host would queue is refused at once (429) instead');
  assert.equal(http.dynamicThrottlesEnabled, false);
  assert.equal(hostJson.retry, undefined);
});

test('host.json: each function\'s own log lines at Information, the host\'s chatter at Warning, every request counted', () => {
  const levels = hostJson.logging.logLevel;
  assert.equal(levels.default, 'Warning');
  assert.equal(levels.Function, 'Warning', 'no Executing/Executed pair per callout');
  for (const { name } of FUNCTION_ROUTES) assert.ok(levels[`Function.${name}.User`], `Function.${name}.User has a level`);
  assert.equal(levels['Host.Results'], 'Information', 'one request row per call in Application Insights');
  assert.match(hostJson.logging.applicationInsights.samplingSettings.excludedTypes, /\bRequest\b/);
});

test('.funcignore: no private key, settings file or local ledger is uploaded; what the remote build needs is', () => {
  for (const pattern of ['*.key', '*.key.pem', '*.pfx', '.env', '.env.*', 'local.settings.json', 'data', 'node_modules', 'test']) assert.ok(funcignore.includes(pattern), `${pattern} is ignored`);
  for (const needed of ['src', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'host.json', '*.cer', '*.pem']) assert.ok(!funcignore.includes(needed), `${needed} is uploaded`);
});
