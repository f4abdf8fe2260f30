import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Files of a throwaway PKI for one test run, made with the openssl CLI in a temporary directory. */
export interface TestPki {
  readonly dir: string;
  /** The CA that signs the server's and the client's certificates (what LEGACY_VERIFY_CA_FILE names). */
  readonly caFile: string;
  /** Another CA, which nobody trusts, with a client certificate of its own. */
  readonly otherCaFile: string;
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  readonly otherClientCertFile: string;
  readonly otherClientKeyFile: string;
  /** Reads one of the files. */
  read(path: string): Buffer;
  remove(): void;
}

const openssl = (dir: string, args: string[]): void => {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
};

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A self-signed CA: `{name}.pem` and `{name}.key`. */
function makeCa(dir: string, name: string, subject: string): void {
  openssl(dir, ['req', '-x509', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', subject, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
}

/** An EC P-256 key and a certificate signed by the CA `ca`, with `extensions` (openssl extfile lines). */
function issue(dir: string, name: string, subject: string, extensions: string, ca: string): void {
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(dir, ['req', '-new', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`]);
}

/**
 * Makes two CAs; a server certificate for localhost and 127.0.0.1 and a client certificate under the first; a client
 * certificate under the second. About 100 ms.
 *
 * @example
 *   const pki = makeTestPki();
 *   after(() => pki.remove());
 */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'web-service-pki-'));
  makeCa(dir, 'ca', '/CN=entra-migrate test CA');
  makeCa(dir, 'other-ca', '/CN=unknown test CA');
  issue(dir, 'server', '/CN=localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n', 'ca');
  issue(dir, 'client', '/CN=entra-migrate', 'extendedKeyUsage=clientAuth\n', 'ca');
  issue(dir, 'other-client', '/CN=stranger', 'extendedKeyUsage=clientAuth\n', 'other-ca');
  const path = (name: string) => join(dir, name);
  return {
    dir,
    caFile: path('ca.pem'),
    otherCaFile: path('other-ca.pem'),
    serverCertFile: path('server.pem'),
    serverKeyFile: path('server.key'),
    clientCertFile: path('client.pem'),
    clientKeyFile: path('client.key'),
    otherClientCertFile: path('other-client.pem'),
    otherClientKeyFile: path('other-client.key'),
    read: (file) => readFileSync(file),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
