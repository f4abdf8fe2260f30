import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * A real OpenLDAP server for the directory-store tests: Debian's `slapd` started in a temporary directory on a free
 * loopback port, configured through cn=config (slapd.d, generated with `slapadd -n0`), an mdb database with the
 * ppolicy overlay (lockout after 3 failures), entries loaded from LDIF with `slapadd -n1`, killed by `stop()`.
 * CI installs `slapd` (.ci/run); elsewhere the tests skip with the reason from {@link skipUnlessSlapd}.
 */

const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';
const OPENSSL = '/usr/bin/openssl';
const MODULES = '/usr/lib/ldap';
const SCHEMAS = '/etc/ldap/schema';

const run = promisify(execFile);

export const SUFFIX = 'dc=example,dc=org';
export const PEOPLE = `ou=people,${SUFFIX}`;
export const SERVICE_DN = `cn=migration,${SUFFIX}`;
/** A policy subentry whose passwords expire after a day, with no grace binds. */
export const EXPIRING_POLICY = `cn=expiring,ou=policies,${SUFFIX}`;
/** The same with 2 grace binds after expiry. */
export const GRACE_POLICY = `cn=grace,ou=policies,${SUFFIX}`;

export interface SlapdOptions {
  /** LDIF of the test's own entries, under ou=people (which exists), separated by blank lines. */
  entries: string;
  /** `olcPPolicyUseLockout`: slapd names the lock in the password policy control (off by default in slapd). */
  useLockout?: boolean;
  /** Also listen with TLS: StartTLS on the ldap:// port and an ldaps:// port, with a certificate from a test CA. */
  tls?: boolean;
  /**
   * Lets the service account page through any number of entries (`olcLimits … size.prtotal=unlimited`), as a
   * directory set up for `premigrate` must. Without it slapd's default size limit (500) ends a paged search at 500.
   */
  serviceListsAll?: boolean;
}

export interface Slapd {
  /** `ldap://127.0.0.1:<port>`. */
  readonly url: string;
  /** `ldaps://localhost:<port>`, when started with `tls`. */
  readonly ldapsUrl: string | undefined;
  /** `ldap://127.0.0.2:<port>`, when started with `tls`: the same slapd at an address its certificate does not name. */
  readonly unnamedUrl: string | undefined;
  /** The test CA's certificate (PEM file), when started with `tls`. */
  readonly caFile: string | undefined;
  /** Another CA's certificate that signed nothing slapd holds, when started with `tls`. */
  readonly otherCaFile: string | undefined;
  /** The service account's password (random per run; not a user password, so not a canary). */
  readonly servicePassword: string;
  readonly pid: number;
  /**
   * Freezes slapd (SIGSTOP): connections are accepted by the kernel and never answered. Resolves once every slapd
   * thread is stopped: the stop is not immediate (seen to lag a whole request on a loaded 2-CPU VM).
   */
  pause(): Promise<void>;
  /** Thaws it (SIGCONT), resolving once it runs again. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Decides whether the slapd tests may run. Returns `false` (run) or a skip reason; in CI (`CI=true`) a missing
 * slapd is a failure, never a quiet skip: this throws.
 */
export function skipUnlessSlapd(): string | false {
  const missing = [SLAPD, SLAPADD, OPENSSL].filter((path) => !existsSync(path));
  if (missing.length === 0) return false;
  const reason = `${missing.join(' and ')} not found; these tests need Debian's slapd (apt-get install slapd ldap-utils openssl)`;
  if (process.env.CI === 'true') throw new Error(`CI requires ${reason}`);
  return reason;
}

/** `{SSHA}` as slapd stores it: base64(SHA-1(password ‖ salt) ‖ salt), with an 8-byte salt. */
export function ssha(password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(Buffer.from(password, 'utf8')).update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

/** One LDIF line for `attribute: value`, base64 (`::`) when the value is not safe as it stands (RFC 2849). */
export function ldifLine(attribute: string, value: string | Buffer): string {
  const text = typeof value === 'string' ? value : undefined;
  if (text !== undefined && /^[\x01-\x09\x0b\x0c\x0e-\x1f\x21-\x39\x3b\x3d-\x7f][\x01-\x09\x0b\x0c\x0e-\x7f]*$/.test(text) && !text.endsWith(' ')) {
    return `${attribute}: ${text}`;
  }
  return `${attribute}:: ${Buffer.from(value).toString('base64')}`;
}

/** Starts slapd with the options' entries; call `stop()` when done (an exit hook kills it if a test crashes). */
export async function startSlapd(options: SlapdOptions): Promise<Slapd> {
  const dir = await mkdtemp(join(tmpdir(), 'slapd-'));
  try {
    await mkdir(join(dir, 'slapd.d'));
    await mkdir(join(dir, 'data'));
    const servicePassword = randomBytes(12).toString('base64url');
    const tls = options.tls ? await makeCertificates(dir) : undefined;
    await writeFile(join(dir, 'config.ldif'), configLdif(dir, options, tls));
    await writeFile(join(dir, 'data.ldif'), `${baseEntries(servicePassword)}\n\n${options.entries.trim()}\n`);
    await run(SLAPADD, ['-n0', '-F', join(dir, 'slapd.d'), '-l', join(dir, 'config.ldif')]);
    await run(SLAPADD, ['-n1', '-F', join(dir, 'slapd.d'), '-l', join(dir, 'data.ldif')]);

    const port = await freePort();
    const ldapsPort = tls ? await freePort() : undefined;
    const listeners = [`ldap://127.0.0.1:${port}/`, ...(ldapsPort ? [`ldaps://127.0.0.1:${ldapsPort}/`, `ldap://127.0.0.2:${port}/`] : [])];
    const child = spawn(SLAPD, ['-h', listeners.join(' '), '-F', join(dir, 'slapd.d'), '-d', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const stderr: Buffer[] = [];
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
    const kill = (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    process.once('exit', kill);
    await waitForPort(port, child, stderr);
    if (ldapsPort) await waitForPort(ldapsPort, child, stderr);

    return {
      url: `ldap://127.0.0.1:${port}`,
      ldapsUrl: ldapsPort ? `ldaps://localhost:${ldapsPort}` : undefined,
      unnamedUrl: ldapsPort ? `ldap://127.0.0.2:${port}` : undefined,
      caFile: tls?.caFile,
      otherCaFile: tls?.otherCaFile,
      servicePassword,
      pid: child.pid!,
      async pause() {
        child.kill('SIGSTOP');
        await waitForState(child.pid!, true);
      },
      async resume() {
        child.kill('SIGCONT');
        await waitForState(child.pid!, false);
      },
      async stop() {
        process.removeListener('exit', kill);
        child.kill('SIGCONT');
        await stopChild(child);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The suffix, ou=people, the policies and the service account. */
function baseEntries(servicePassword: string): string {
  return `dn: ${SUFFIX}
objectClass: dcObject
objectClass: organization
dc: example
o: Example

dn: ${PEOPLE}
objectClass: organizationalUnit
ou: people

dn: ou=policies,${SUFFIX}
objectClass: organizationalUnit
ou: policies

dn: cn=default,ou=policies,${SUFFIX}
objectClass: organizationalRole
objectClass: pwdPolicy
cn: default
pwdAttribute: userPassword
pwdLockout: TRUE
pwdMaxFailure: 3
pwdLockoutDuration: 0
pwdMustChange: TRUE

dn: ${EXPIRING_POLICY}
objectClass: organizationalRole
objectClass: pwdPolicy
cn: expiring
pwdAttribute: userPassword
pwdMaxAge: 86400
pwdGraceAuthNLimit: 0

dn: ${GRACE_POLICY}
objectClass: organizationalRole
objectClass: pwdPolicy
cn: grace
pwdAttribute: userPassword
pwdMaxAge: 86400
pwdGraceAuthNLimit: 2

dn: ${SERVICE_DN}
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: migration
${ldifLine('userPassword', ssha(servicePassword))}`;
}

/**
 * cn=config: the mdb database and ppolicy modules, the core/cosine/inetOrgPerson schemas plus a few Active Directory
 * attributes (objectGUID, userAccountControl, sAMAccountName, userPrincipalName, with AD's own OIDs) on an auxiliary
 * class under OpenLDAP's experimental arc 1.3.6.1.4.1.4203.666, and ACLs: anyone may bind, the service account reads
 * everything, a user reads their own entry, nobody else reads anything. The database needs a root DN (without a
 * password: nobody binds as it) because ppolicy records failures and locks as that identity.
 */
function configLdif(dir: string, options: SlapdOptions, tls: Certificates | undefined): string {
  const tlsLines = tls ? `\nolcTLSCertificateFile: ${tls.certFile}\nolcTLSCertificateKeyFile: ${tls.keyFile}` : '';
  return `dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: ${join(dir, 'slapd.pid')}${tlsLines}

dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: ${MODULES}
olcModuleLoad: back_mdb
olcModuleLoad: ppolicy

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file://${SCHEMAS}/core.ldif

include: file://${SCHEMAS}/cosine.ldif

include: file://${SCHEMAS}/inetorgperson.ldif

dn: cn=ad,cn=schema,cn=config
objectClass: olcSchemaConfig
cn: ad
olcAttributeTypes: ( 1.2.840.113556.1.4.2 NAME 'objectGUID' EQUALITY octetStringMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 SINGLE-VALUE )
olcAttributeTypes: ( 1.2.840.113556.1.4.8 NAME 'userAccountControl' EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
olcAttributeTypes: ( 1.2.840.113556.1.4.221 NAME 'sAMAccountName' EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
olcAttributeTypes: ( 1.2.840.113556.1.4.656 NAME 'userPrincipalName' EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
olcObjectClasses: ( 1.3.6.1.4.1.4203.666.11.1 NAME 'testAdAccount' AUXILIARY MAY ( objectGUID $ userAccountControl $ sAMAccountName $ userPrincipalName ) )

dn: olcDatabase={-1}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {-1}frontend
olcAccess: {0}to dn.base="" by * read
olcAccess: {1}to dn.base="cn=subschema" by * read

dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcAccess: {0}to * by * none

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcDbDirectory: ${join(dir, 'data')}
olcSuffix: ${SUFFIX}
olcRootDN: cn=admin,${SUFFIX}
olcDbMaxSize: 16777216
olcDbIndex: objectClass eq
olcDbIndex: uid,mail eq
${options.serviceListsAll ? `olcLimits: {0}dn.exact="${SERVICE_DN}" size.prtotal=unlimited\n` : ''}olcAccess: {0}to attrs=userPassword by anonymous auth by * none
olcAccess: {1}to * by dn.exact="${SERVICE_DN}" read by self read by * none

dn: olcOverlay={0}ppolicy,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcPPolicyConfig
olcOverlay: {0}ppolicy
olcPPolicyDefault: cn=default,ou=policies,${SUFFIX}
olcPPolicyUseLockout: ${options.useLockout ? 'TRUE' : 'FALSE'}
`;
}

interface Certificates {
  caFile: string;
  otherCaFile: string;
  certFile: string;
  keyFile: string;
}

/** A test CA, a server certificate it signs for localhost and 127.0.0.1, and an unrelated second CA. */
async function makeCertificates(dir: string): Promise<Certificates> {
  const path = (name: string): string => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  for (const name of ['ca', 'other-ca']) {
    await run(OPENSSL, ['req', '-x509', ...ec, '-keyout', path(`${name}.key`), '-out', path(`${name}.pem`), '-days', '2', '-subj', `/CN=entra-migrate test ${name}`]);
  }
  await run(OPENSSL, ['req', ...ec, '-keyout', path('server.key'), '-out', path('server.csr'), '-subj', '/CN=localhost']);
  await writeFile(path('server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  await run(OPENSSL, [
    'x509', '-req', '-in', path('server.csr'), '-CA', path('ca.pem'), '-CAkey', path('ca.key'), '-CAcreateserial',
    '-out', path('server.pem'), '-days', '2', '-extfile', path('server.ext'),
  ]);
  return { caFile: path('ca.pem'), otherCaFile: path('other-ca.pem'), certFile: path('server.pem'), keyFile: path('server.key') };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Polls until the port accepts connections (slapd listening), or fails with slapd's own output. */
async function waitForPort(port: number, child: ChildProcess, stderr: Buffer[]): Promise<void> {
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`slapd exited (${child.exitCode}): ${Buffer.concat(stderr).toString().slice(-2000)}`);
    if (await accepts(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`slapd did not listen on port ${port} within 10 s: ${Buffer.concat(stderr).toString().slice(-2000)}`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1', () => done(true));
  });
}

/** Polls /proc until every thread of `pid` is stopped (state T), or none is. */
async function waitForState(pid: number, stopped: boolean): Promise<void> {
  const until = Date.now() + 5000;
  for (;;) {
    const states = await threadStates(pid);
    if (states.length > 0 && states.every((state) => (state === 'T') === stopped)) return;
    if (Date.now() > until) throw new Error(`slapd (pid ${pid}) did not ${stopped ? 'stop' : 'continue'} within 5 s: thread states ${states.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function threadStates(pid: number): Promise<string[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const states = await Promise.all(
    tasks.map((task) => readFile(`/proc/${pid}/task/${task}/stat`, 'utf8').then((stat) => /\) (\S)/.exec(stat)?.[1] ?? '?', () => '?')),
  );
  return states.filter((state) => state !== '?');
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
