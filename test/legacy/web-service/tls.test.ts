import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { WebServiceSettings } from '../../../src/config/legacy-web-service-settings.js';
import { LegacyStoreErrorCode } from '../../../src/legacy/errors.js';
import { openWebServiceAuthority } from '../../../src/legacy/stores/web-service/index.js';
import { makeTestPki, type TestPki } from './pki.js';
import { startService, type TestService } from './service.js';
import { attempt, inTime, rejectsWith, settingsFrom } from './support.js';

// https with a private CA and mutual TLS, against node:https servers with a throwaway PKI made by the openssl CLI.

const { MISCONFIGURED, OPTIONS_INVALID, UNAVAILABLE } = LegacyStoreErrorCode;

const pki: TestPki = makeTestPki();
after(() => pki.remove());

/** One check through a store opened with `settings`; the store is closed afterwards. */
async function checkWith(settings: WebServiceSettings) {
  const authority = await openWebServiceAuthority(settings);
  try {
    return await authority.checkPassword(attempt(), inTime(2000));
  } finally {
    await authority.close();
  }
}

describe('web-service store: a service with a private CA', () => {
  let service: TestService;
  let strayHost: TestService;
  before(async () => {
    const tls = { cert: pki.read(pki.serverCertFile), key: pki.read(pki.serverKeyFile) };
    service = await startService({ tls });
    strayHost = await startService({ tls, host: '127.0.0.2' }); // a name the certificate does not hold
  });
  after(async () => {
    await service.close();
    await strayHost.close();
  });

  test('LEGACY_VERIFY_CA_FILE naming the CA → the certificate is trusted', async () => {
    const check = await checkWith(settingsFrom({ LEGACY_VERIFY_URL: `${service.origin}/verify`, LEGACY_VERIFY_CA_FILE: pki.caFile }));
    assert.equal(check.outcome, 'correct');
  });

  test('without LEGACY_VERIFY_CA_FILE (the system CAs) → MISCONFIGURED naming LEGACY_VERIFY_CA_FILE; nothing is sent', async () => {
    const before = service.requests.length;
    await rejectsWith(checkWith(settingsFrom({ LEGACY_VERIFY_URL: `${service.origin}/verify` })), MISCONFIGURED, /certificate we do not trust \([A-Z_]+\): check LEGACY_VERIFY_CA_FILE/);
    assert.equal(service.requests.length, before, 'no request reached the service');
  });

  test('LEGACY_VERIFY_CA_FILE naming another CA → refused the same way', async () => {
    await rejectsWith(checkWith(settingsFrom({ LEGACY_VERIFY_URL: `${service.origin}/verify`, LEGACY_VERIFY_CA_FILE: pki.otherCaFile })), MISCONFIGURED, /LEGACY_VERIFY_CA_FILE/);
  });

  test('a host name the certificate does not hold → MISCONFIGURED naming LEGACY_VERIFY_URL', async () => {
    await rejectsWith(
      checkWith(settingsFrom({ LEGACY_VERIFY_URL: `${strayHost.origin}/verify`, LEGACY_VERIFY_CA_FILE: pki.caFile })),
      MISCONFIGURED,
      /ERR_TLS_CERT_ALTNAME_INVALID.*host name in LEGACY_VERIFY_URL/,
    );
  });
});

describe('web-service store: a service that requires mutual TLS', () => {
  let service: TestService;
  before(async () => {
    service = await startService({
      tls: { cert: pki.read(pki.serverCertFile), key: pki.read(pki.serverKeyFile), ca: pki.read(pki.caFile), requestCert: true, rejectUnauthorized: true },
    });
  });
  after(() => service.close());
  const url = () => `${service.origin}/verify`;

  test('with the client certificate → the check goes through, the service sees our certificate', async () => {
    const before = service.requests.length;
    const check = await checkWith(
      settingsFrom({ LEGACY_VERIFY_URL: url(), LEGACY_VERIFY_CA_FILE: pki.caFile, LEGACY_VERIFY_CLIENT_CERT_FILE: pki.clientCertFile, LEGACY_VERIFY_CLIENT_KEY_FILE: pki.clientKeyFile }),
    );
    assert.equal(check.outcome, 'correct');
    assert.equal(service.requests[before]!.peerCommonName, 'entra-migrate');
  });

  test('without a client certificate → refused: MISCONFIGURED naming LEGACY_VERIFY_CLIENT_CERT_FILE', async () => {
    const before = service.requests.length;
    await rejectsWith(checkWith(settingsFrom({ LEGACY_VERIFY_URL: url(), LEGACY_VERIFY_CA_FILE: pki.caFile })), MISCONFIGURED, /refused our client certificate.*LEGACY_VERIFY_CLIENT_CERT_FILE/);
    assert.equal(service.requests.length, before, 'no request reached the service');
  });

  test('with a client certificate of a CA the service does not trust → UNAVAILABLE pointing at the client certificate', async () => {
    // node:https refuses it by closing the connection, without a TLS alert: nothing tells this apart from a crash.
    await rejectsWith(
      checkWith(
        settingsFrom({ LEGACY_VERIFY_URL: url(), LEGACY_VERIFY_CA_FILE: pki.caFile, LEGACY_VERIFY_CLIENT_CERT_FILE: pki.otherClientCertFile, LEGACY_VERIFY_CLIENT_KEY_FILE: pki.otherClientKeyFile }),
      ),
      UNAVAILABLE,
      /closed the connection before answering \(UND_ERR_SOCKET\); if it requires a client certificate, check LEGACY_VERIFY_CLIENT_CERT_FILE/,
    );
  });

  test('ping without a client certificate is refused too (readiness sees what sign-ins would)', async () => {
    const authority = await openWebServiceAuthority(settingsFrom({ LEGACY_VERIFY_URL: url(), LEGACY_VERIFY_CA_FILE: pki.caFile }));
    try {
      await rejectsWith(authority.ping(), MISCONFIGURED, /LEGACY_VERIFY_CLIENT_CERT_FILE/);
    } finally {
      await authority.close();
    }
  });

  test('ping with the client certificate resolves', async () => {
    const authority = await openWebServiceAuthority(
      settingsFrom({ LEGACY_VERIFY_URL: url(), LEGACY_VERIFY_CA_FILE: pki.caFile, LEGACY_VERIFY_CLIENT_CERT_FILE: pki.clientCertFile, LEGACY_VERIFY_CLIENT_KEY_FILE: pki.clientKeyFile }),
    );
    try {
      await authority.ping();
    } finally {
      await authority.close();
    }
  });
});

describe('web-service store: TLS files that cannot be used stop the store from opening', () => {
  const url = 'https://127.0.0.1:1/verify';
  const garbage = join(pki.dir, 'garbage.pem');
  writeFileSync(garbage, 'this is not PEM');

  test('a CA file without a certificate → OPTIONS_INVALID naming LEGACY_VERIFY_CA_FILE', async () => {
    await rejectsWith(openWebServiceAuthority(settingsFrom({ LEGACY_VERIFY_URL: url, LEGACY_VERIFY_CA_FILE: garbage })), OPTIONS_INVALID, /^LEGACY_VERIFY_CA_FILE holds no PEM certificate/);
  });

  test('a key file holding a certificate → OPTIONS_INVALID naming LEGACY_VERIFY_CLIENT_KEY_FILE', async () => {
    await rejectsWith(
      openWebServiceAuthority(settingsFrom({ LEGACY_VERIFY_URL: url, LEGACY_VERIFY_CLIENT_CERT_FILE: pki.clientCertFile, LEGACY_VERIFY_CLIENT_KEY_FILE: pki.clientCertFile })),
      OPTIONS_INVALID,
      /^LEGACY_VERIFY_CLIENT_KEY_FILE holds no unencrypted PEM private key/,
    );
  });

  test('the key of another certificate → OPTIONS_INVALID saying so, without the key in the error', async () => {
    const error = await rejectsWith(
      openWebServiceAuthority(settingsFrom({ LEGACY_VERIFY_URL: url, LEGACY_VERIFY_CLIENT_CERT_FILE: pki.clientCertFile, LEGACY_VERIFY_CLIENT_KEY_FILE: pki.otherClientKeyFile })),
      OPTIONS_INVALID,
      /^LEGACY_VERIFY_CLIENT_KEY_FILE is not the private key of the certificate in LEGACY_VERIFY_CLIENT_CERT_FILE/,
    );
    const key = pki.read(pki.otherClientKeyFile).toString().split('\n')[1]!;
    assert.ok(!`${error.message} ${error.publicMessage} ${error.stack}`.includes(key), 'the key is not in the error');
  });

  test('a certificate file that is not a certificate → OPTIONS_INVALID naming LEGACY_VERIFY_CLIENT_CERT_FILE', async () => {
    await rejectsWith(
      openWebServiceAuthority(settingsFrom({ LEGACY_VERIFY_URL: url, LEGACY_VERIFY_CLIENT_CERT_FILE: garbage, LEGACY_VERIFY_CLIENT_KEY_FILE: pki.clientKeyFile })),
      OPTIONS_INVALID,
      /^LEGACY_VERIFY_CLIENT_CERT_FILE holds no PEM certificate/,
    );
  });
});
