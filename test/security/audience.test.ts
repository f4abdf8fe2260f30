import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { audienceOf } from '../../src/security/audience.js';
import { APP_ID } from './support.js';

const HOST = 'auth.contoso.example';
const RESOURCE_ID = `api://${HOST}/${APP_ID}`;
const OTHER_APP_ID = '00000000-0000-4000-8000-000000000000';

/** Every form a hostile caller could try instead of the extension's app id or identifier URI. */
const FORGED = [
  `https://evil.example/${APP_ID}`, // suffix match: the finding of the hostile probe
  `api://evil.example/${APP_ID}`, // another host
  `api://${HOST}.evil.example/${APP_ID}`,
  `api://evil.example/${HOST}/${APP_ID}`,
  `api://user@${HOST}/${APP_ID}`,
  `http://${HOST}/${APP_ID}`, // another scheme
  `https://${HOST}/${APP_ID}`,
  `apix://${HOST}/${APP_ID}`,
  `xapi://${HOST}/${APP_ID}`,
  `api://${APP_ID}`,
  `api://${HOST}/${OTHER_APP_ID}`, // another app id
  OTHER_APP_ID,
  `${APP_ID}x`, // prefix and suffix of the app id
  `x${APP_ID}`,
  ` ${APP_ID}`,
  `${APP_ID}/`,
  `${RESOURCE_ID}/`,
  `${RESOURCE_ID}/extra`,
  `${RESOURCE_ID}?x=1`,
  `${RESOURCE_ID}#x`,
  `${RESOURCE_ID} `,
  `api://${HOST}/${APP_ID.slice(0, -1)}`,
  `api://${HOST}//${APP_ID}`,
  `api:///${APP_ID}`,
  `https://EVIL.example/${APP_ID.toUpperCase()}`, // case variants of forged forms
  `API://EVIL.EXAMPLE/${APP_ID.toUpperCase()}`,
  '',
];

describe('audienceOf', () => {
  test('the app id matches in any letter case (a GUID); other types never match', () => {
    assert.equal(audienceOf(APP_ID, { appId: APP_ID }), APP_ID);
    assert.equal(audienceOf(APP_ID.toUpperCase(), { appId: APP_ID }), APP_ID.toUpperCase());
    assert.equal(audienceOf([OTHER_APP_ID, APP_ID], { appId: APP_ID }), APP_ID);
    for (const value of [undefined, null, 42, {}, [], [42], { toLowerCase: () => APP_ID }]) assert.equal(audienceOf(value, { appId: APP_ID }), undefined);
  });

  test('with ENTRA_EXTENSION_RESOURCE_ID, exactly that URI (case-insensitive scheme, host and GUID) and the app id', () => {
    const expected = { appId: APP_ID, resourceId: RESOURCE_ID, requestHost: 'evil.example' };
    assert.equal(audienceOf(RESOURCE_ID, expected), RESOURCE_ID);
    assert.equal(audienceOf(RESOURCE_ID.toUpperCase(), expected), RESOURCE_ID.toUpperCase());
    assert.equal(audienceOf(APP_ID, expected), APP_ID);
    assert.equal(audienceOf(`api://evil.example/${APP_ID}`, expected), undefined, 'the Host header does not widen a configured resource id');
    for (const forged of FORGED) assert.equal(audienceOf(forged, expected), undefined, forged);
  });

  test("without it, an api:// URI only for the request's Host (port ignored)", () => {
    for (const requestHost of [HOST, `${HOST}:443`, HOST.toUpperCase()]) {
      assert.equal(audienceOf(RESOURCE_ID, { appId: APP_ID, requestHost }), RESOURCE_ID, requestHost);
    }
    assert.equal(audienceOf(`api://${HOST}:7071/${APP_ID}`, { appId: APP_ID, requestHost: `${HOST}:7071` }), `api://${HOST}:7071/${APP_ID}`);
    assert.equal(audienceOf(`api://[::1]:7071/${APP_ID}`, { appId: APP_ID, requestHost: '[::1]:7071' }), `api://[::1]:7071/${APP_ID}`);
    assert.equal(audienceOf(RESOURCE_ID, { appId: APP_ID }), undefined, 'no Host, no resource id: only the app id');
    assert.equal(audienceOf(RESOURCE_ID, { appId: APP_ID, requestHost: 'evil.example' }), undefined);
    for (const forged of FORGED) assert.equal(audienceOf(forged, { appId: APP_ID, requestHost: HOST }), undefined, forged);
  });
});
