import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { isAuthorised, SESSION_COOKIE, sessionCookie, sessionValue, tokenMatches } from '../../src/dashboard/auth.js';

const TOKEN = 'correct-horse-battery-staple-42';
const request = (headers: Record<string, string>) => ({ headers }) as unknown as FastifyRequest;

describe('dashboard token', () => {
  test('only the token itself matches', () => {
    assert.equal(tokenMatches(TOKEN, TOKEN), true);
    for (const wrong of ['', TOKEN.slice(0, -1), `${TOKEN}x`, TOKEN.toUpperCase(), ` ${TOKEN}`, 'x'.repeat(10_000)]) assert.equal(tokenMatches(wrong, TOKEN), false, JSON.stringify(wrong.slice(0, 20)));
    assert.equal(tokenMatches(undefined, TOKEN), false);
    assert.equal(tokenMatches(42 as unknown as string, TOKEN), false);
  });

  test('a bearer header or the session cookie authorises; a wrong one, or the token itself as the cookie, does not', () => {
    assert.equal(isAuthorised(request({ authorization: `Bearer ${TOKEN}` }), TOKEN), true);
    assert.equal(isAuthorised(request({ authorization: `bearer ${TOKEN}` }), TOKEN), true);
    assert.equal(isAuthorised(request({ authorization: 'Bearer wrong-token-wrong-token' }), TOKEN), false);
    assert.equal(isAuthorised(request({ authorization: `Basic ${TOKEN}` }), TOKEN), false);
    assert.equal(isAuthorised(request({}), TOKEN), false);
    assert.equal(isAuthorised(request({ cookie: `other=1; ${SESSION_COOKIE}=${sessionValue(TOKEN)}` }), TOKEN), true);
    assert.equal(isAuthorised(request({ cookie: `${SESSION_COOKIE}=${TOKEN}` }), TOKEN), false);
    assert.equal(isAuthorised(request({ cookie: `${SESSION_COOKIE}=${sessionValue('another-token-entirely')}` }), TOKEN), false);
    assert.equal(isAuthorised(request({ cookie: `x${SESSION_COOKIE}=${sessionValue(TOKEN)}` }), TOKEN), false);
  });

  test('the cookie carries a value derived from the token, never the token, and no script can read it', () => {
    const cookie = sessionCookie(TOKEN, true);
    assert.ok(!cookie.includes(TOKEN));
    assert.match(cookie, /; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/);
    assert.doesNotMatch(sessionCookie(TOKEN, false), /Secure/);
    assert.notEqual(sessionValue(TOKEN), sessionValue(`${TOKEN}2`));
  });
});
