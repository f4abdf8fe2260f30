/**
 * Issue 9 §10, "user enumeration by response time": a caller who times our answers must not tell a real account
 * from an unknown one. Each case times 200 interleaved callouts of each class through the real handler, with real
 * hashes, and asks the best threshold classifier (the threshold and direction that separate the two samples best)
 * to tell them apart: it must do no better than 0.6 (chance is 0.5; with 200 a class, pure noise stays under 0.6
 * at better than 99.9 %). Medians must agree within a quarter as well. Pairs run in random order, so load on a busy
 * machine falls on both classes alike.
 */
import assert from 'node:assert/strict';
import { pbkdf2Sync, randomInt } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { hash as argon2Hash } from '@node-rs/argon2';
import { handlePasswordSubmit, type PasswordSubmitDeps } from '../../src/handlers/index.js';
import { DEFAULT_MESSAGES } from '../../src/jit/index.js';
import { createPasswordVerifier, type PasswordVerifier } from '../../src/legacy/hashes/index.js';
import { createMemoryLegacyStore, hashStoreAuthority, type MemoryLegacyAccount } from '../../src/legacy/index.js';
import { generateDecryptionKey, loadKeyRing, type GeneratedDecryptionKey } from '../../src/security/index.js';
import { APP_ID, calloutBody } from '../server/harness.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';

const TENANT_ID = '6d1f4f3a-9b1e-4c55-8a9e-2f0a3c1b7d21';
const SAMPLES_PER_CLASS = 200;
const ACCOUNTS = 8;

let key: GeneratedDecryptionKey;
const verifiers: PasswordVerifier[] = [];
before(async () => {
  key = await generateDecryptionKey();
});
after(() => Promise.all(verifiers.map((verifier) => verifier.close())));

/** A handler over `accounts` (users real-0 … real-7) with its own verifier, as `serve` has for one store. */
function handlerOver(accounts: MemoryLegacyAccount[]) {
  const verifier = createPasswordVerifier();
  verifiers.push(verifier);
  const deps: PasswordSubmitDeps = {
    tenantId: TENANT_ID,
    extensionAppId: APP_ID,
    keyRing: loadKeyRing([{ pem: key.privateKeyPem + key.certificatePem, source: 'test' }]),
    legacy: hashStoreAuthority(createMemoryLegacyStore(accounts), verifier),
    messages: DEFAULT_MESSAGES,
    clock: Date.now,
    responseDeadlineInMs: 2000,
  };
  return async (body: unknown) => {
    const started = performance.now();
    const result = await handlePasswordSubmit(body, deps, { receivedAt: Date.now() });
    const elapsed = performance.now() - started;
    assert.equal(result.status, 200);
    assert.equal(result.status === 200 && result.outcome.action, 'Retry', 'both classes are answered "wrong password"');
    return elapsed;
  };
}

async function bodiesFor(usernames: string[], password: string) {
  return Promise.all(usernames.map((username) => calloutBody({ tenantId: TENANT_ID, certificatePem: key.certificatePem, username, password })));
}

/** Times the two classes interleaved, in random order within each pair, after a warm-up of both. */
async function sample(handle: (body: unknown) => Promise<number>, real: unknown[], unknown: unknown[]) {
  for (let i = 0; i < 10; i++) {
    await handle(real[i % real.length]);
    await handle(unknown[i % unknown.length]);
  }
  const times = { real: [] as number[], unknown: [] as number[] };
  for (let i = 0; i < SAMPLES_PER_CLASS; i++) {
    const pair = [['real', real[i % real.length]], ['unknown', unknown[i % unknown.length]]] as const;
    for (const [label, body] of randomInt(2) === 0 ? pair : [pair[1], pair[0]]) times[label].push(await handle(body));
  }
  return times;
}

/** The best accuracy any threshold on the time reaches at telling the two samples apart, in either direction. */
function bestThresholdAccuracy(a: readonly number[], b: readonly number[]): number {
  const all = [...a.map((time) => [time, 0] as const), ...b.map((time) => [time, 1] as const)].sort((x, y) => x[0] - y[0]);
  let aBelow = 0;
  let bBelow = 0;
  let best = 0.5;
  for (let i = 0; i < all.length; i++) {
    if (all[i]![1] === 0) aBelow++;
    else bBelow++;
    if (i + 1 < all.length && all[i + 1]![0] === all[i]![0]) continue;
    const accuracy = (aBelow + (b.length - bBelow)) / all.length; // "A when at most this long"
    best = Math.max(best, accuracy, 1 - accuracy);
  }
  return best;
}

const median = (values: readonly number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;

function assertIndistinguishable(times: { real: number[]; unknown: number[] }): string {
  const accuracy = bestThresholdAccuracy(times.real, times.unknown);
  const [real, unknown] = [median(times.real), median(times.unknown)];
  const summary = `best threshold accuracy ${accuracy.toFixed(3)}; median real ${real.toFixed(2)} ms, unknown ${unknown.toFixed(2)} ms`;
  assert.ok(accuracy <= 0.6, summary);
  assert.ok(Math.abs(real - unknown) <= 0.25 * Math.max(real, unknown), summary);
  return summary;
}

const realUsers = Array.from({ length: ACCOUNTS }, (_, i) => `real-${i}@contoso.example`);
const unknownUsers = Array.from({ length: ACCOUNTS }, (_, i) => `nobody-${i}@contoso.example`);

describe('response time does not tell real accounts from unknown ones', () => {
  test('a store of argon2id hashes: real and unknown users, wrong password', async (t) => {
    const accounts = await Promise.all(realUsers.map(async (username) => ({ username, passwordHash: await argon2Hash(CANARY_PASSWORDS.correct, { memoryCost: 2048, timeCost: 2, parallelism: 1 }) })));
    const handle = handlerOver(accounts);
    t.diagnostic(assertIndistinguishable(await sample(handle, await bodiesFor(realUsers, CANARY_PASSWORDS.wrong), await bodiesFor(unknownUsers, CANARY_PASSWORDS.wrong))));
  });

  test('a store of PBKDF2 (Django) hashes: real and unknown users, wrong password', async (t) => {
    const accounts = realUsers.map((username, i) => ({
      username,
      passwordHash: `pbkdf2_sha256$4000$salt${i}$${pbkdf2Sync(CANARY_PASSWORDS.correct, `salt${i}`, 4000, 32, 'sha256').toString('base64')}`,
    }));
    const handle = handlerOver(accounts);
    t.diagnostic(assertIndistinguishable(await sample(handle, await bodiesFor(realUsers, CANARY_PASSWORDS.wrong), await bodiesFor(unknownUsers, CANARY_PASSWORDS.wrong))));
  });

  test('a password over 1,024 bytes: real and unknown users (argon2id store)', async (t) => {
    const accounts = await Promise.all(realUsers.map(async (username) => ({ username, passwordHash: await argon2Hash(CANARY_PASSWORDS.correct, { memoryCost: 2048, timeCost: 2, parallelism: 1 }) })));
    const handle = handlerOver(accounts);
    const oversized = `${CANARY_PASSWORDS.wrong}${'x'.repeat(1100)}`;
    t.diagnostic(assertIndistinguishable(await sample(handle, await bodiesFor(realUsers, oversized), await bodiesFor(unknownUsers, oversized))));
  });
});
