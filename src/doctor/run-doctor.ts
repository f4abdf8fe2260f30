import { isLoopbackHost } from '../common/loopback.js';
import { MICROSOFT_GRAPH_APP_ID, RECEIVE_PAYLOAD_ROLE_ID, type GraphApplication as Application, type GraphClient, type GraphCustomExtension, type GraphEventListener } from '../graph/index.js';
import type { Finding, FindingLevel } from './finding.js';
import { eventFindings } from './event-checks.js';
import { signUpFindings } from './sign-up-check.js';
export type { Finding, FindingLevel } from './finding.js';

export interface DoctorOptions {
  /** Graph access; without it only the endpoint is checked. */
  graph?: GraphClient;
  targetUrl: string;
  /** base64url SHA-1 thumbprints (`x5t`) of the certificates of the keys `serve` holds. */
  serverKeyThumbprints: readonly string[];
  /** Keys `serve` holds without their certificate: they cannot be compared by thumbprint. */
  keysWithoutCertificate?: number;
  /** `serve`'s RESPONSE_DEADLINE_MS. */
  responseDeadlineInMs: number;
  /** The flag the premigrated users carry (MIGRATION_FLAG_ATTRIBUTE), when known. */
  flagAttribute?: string;
  /** SIGNUP_COLLISION, when set: with `link` the client applications' sign-up flows are checked for the legacy id. */
  signUpCollision?: string;
  /** LEGACY_ID_ATTRIBUTE, when set. */
  legacyIdAttribute?: string;
  /** The client applications whose other event listeners and sign-up flow handlers are checked; default the OnPasswordSubmit listener's. */
  clientAppIds?: readonly string[];
  fetch?: typeof globalThis.fetch;
  now?: () => number;
  /** Round trips measured against the endpoint. Default 5. */
  probes?: number;
  /** Certificates expiring sooner than this are a warning. Default 30 days. */
  expiryWarningInDays?: number;
}

const DAY_IN_MS = 86_400_000;
/** Time Entra's own side needs around a callout (TLS, token minting), on top of the measured round trip. */
const NETWORK_MARGIN_IN_MS = 150;

/**
 * Checks a deployment the way Entra will use it, and says what is wrong in plain words with the sign-in log code it
 * would cause: the endpoint (https, answers, refuses calls without a token, round trip); then, with Graph access,
 * the custom extension for this URL, its resource id (1003015), the app registration's identifier URI (1003014),
 * the Receive.Payload grant (1003021), the encryption certificate against the server's keys and its expiry, the
 * listener and its flag, and the extension's timeout against the server's deadline plus the round trip (1003005);
 * with SIGNUP_COLLISION=link, the legacy id as a hidden input of the sign-up flows (sign-up-check.ts); and the other
 * events' listeners and sign-up flow handlers for the client applications (event-checks.ts).
 *
 * @example
 *   const findings = await runDoctor({ graph, targetUrl, serverKeyThumbprints: ring.keys.map((key) => key.x5t!), responseDeadlineInMs: 1500 });
 */
export async function runDoctor(options: DoctorOptions): Promise<Finding[]> {
  const findings: Finding[] = [];
  const add = (check: string, level: FindingLevel, message: string, entraErrorCode?: number) => findings.push({ check, level, message, ...(entraErrorCode !== undefined && { entraErrorCode }) });
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const now = options.now ?? (() => performance.now());
  const target = new URL(options.targetUrl);

  // The endpoint.
  if (target.protocol === 'https:') add('target URL', 'ok', `${target.href} is https`);
  else if (isLoopbackHost(target.hostname)) add('target URL', 'warning', `${target.href} is plain http: fine for the emulator, refused by real Entra`);
  else add('target URL', 'problem', `${target.href} is not https; Entra calls https endpoints only`, 1003001);
  const roundTrips: number[] = [];
  let reachable = false;
  for (let i = 0; i < (options.probes ?? 5); i++) {
    const started = now();
    try {
      const response = await fetchImpl(target, { method: 'GET', signal: AbortSignal.timeout(5000) });
      await response.arrayBuffer();
      roundTrips.push(now() - started);
      reachable ||= response.ok;
    } catch {
      break;
    }
  }
  const roundTrip = roundTrips.length > 0 ? [...roundTrips].sort((a, b) => a - b)[Math.floor(roundTrips.length / 2)]! : undefined;
  if (!reachable) add('endpoint', 'problem', roundTrips.length === 0 ? `${target.href} does not answer (connection failed or took over 5 s)` : `${target.href} answers GET with an error status; serve answers 200 there`, 1003001);
  else add('endpoint', 'ok', `answers in ${roundTrip!.toFixed(0)} ms (median of ${roundTrips.length})`);
  if (reachable) {
    try {
      const anonymous = await fetchImpl(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(5000) });
      await anonymous.arrayBuffer();
      if (anonymous.status === 401) add('caller authentication', 'ok', 'a call without a bearer token is refused (401)');
      else add('caller authentication', 'problem', `a call without a bearer token was answered ${anonymous.status}; the endpoint must refuse it with 401`);
    } catch {
      add('caller authentication', 'warning', 'could not send the unauthenticated probe');
    }
  }

  if (!options.graph) {
    add('tenant', 'warning', 'no Graph access (AZURE_TENANT_ID or ENTRA_TENANT_ID, with AZURE_CLIENT_*): the tenant configuration was not checked');
    return findings;
  }
  const graph = options.graph;

  // The custom extension for this URL.
  const extensions = (await graph.call<{ value: GraphCustomExtension[] }>('GET', '/beta/identity/customAuthenticationExtensions')).value;
  const extension = extensions.find((entry) => entry['@odata.type'] === '#microsoft.graph.onPasswordSubmitCustomExtension' && entry.endpointConfiguration.targetUrl === target.href);
  if (!extension) {
    add('custom extension', 'problem', `no OnPasswordSubmit custom extension targets ${target.href}; run entra-migrate setup`);
    findings.push(...(await eventFindings({ graph, clientAppIds: options.clientAppIds ?? [], ...(options.fetch && { fetch: options.fetch }) })));
    return findings;
  }
  add('custom extension', 'ok', `${extension.id} targets ${target.href}`);
  const resourceId = extension.authenticationConfiguration.resourceId;
  // Entra compares host names: api://{hostname}/{appId}, never a port (1003014, 1003015).
  const resource = /^api:\/\/([^/]+)\/([0-9a-f-]{36})$/i.exec(resourceId);
  if (!resource) add('resource id', 'problem', `the resource id ${resourceId} is not api://{host}/{appId}`, 1003014);
  else if (resource[1]!.toLowerCase() !== target.hostname.toLowerCase()) add('resource id', 'problem', `the resource id names ${resource[1]} but the target URL's host name is ${target.hostname} (a port is not part of it); run entra-migrate setup`, 1003015);
  else add('resource id', 'ok', `${resourceId} matches the target host`);

  // Timeout against the server's deadline and the round trip.
  const timeout = extension.clientConfiguration.timeoutInMilliseconds;
  const needed = options.responseDeadlineInMs + (roundTrip ?? 0) + NETWORK_MARGIN_IN_MS;
  if (timeout < needed) {
    add('timeout', 'problem', `the extension waits ${timeout} ms, but the server may take up to its deadline ${options.responseDeadlineInMs} ms plus a ${Math.round(roundTrip ?? 0)} ms round trip; lower RESPONSE_DEADLINE_MS to ${Math.max(100, timeout - Math.round(roundTrip ?? 0) - NETWORK_MARGIN_IN_MS)} or raise the timeout (setup --timeout-ms, at most 2000)`, 1003005);
  } else add('timeout', 'ok', `the extension waits ${timeout} ms; the server answers within ${options.responseDeadlineInMs} ms + ${Math.round(roundTrip ?? 0)} ms round trip`);

  // The app registration behind the resource id.
  const appId = resource?.[2];
  const application = appId ? (await graph.call<{ value: Application[] }>('GET', `/v1.0/applications?$filter=${encodeURIComponent(`appId eq '${appId}'`)}`)).value[0] : undefined;
  if (!application) {
    add('app registration', 'problem', `no app registration has the app id in the resource id ${resourceId}`, 1003014);
  } else {
    const wanted = `api://${target.hostname}/${application.appId}`;
    if (application.identifierUris.some((uri) => uri.toLowerCase() === wanted.toLowerCase())) add('identifier URI', 'ok', wanted);
    else add('identifier URI', 'problem', `the app registration's identifier URIs (${application.identifierUris.join(', ') || 'none'}) lack ${wanted}`, 1003014);
    if (application.api?.requestedAccessTokenVersion !== 2) add('token version', 'warning', 'the app registration asks for v1 access tokens; setup sets requestedAccessTokenVersion 2 (serve accepts both)');

    const principal = (await graph.call<{ value: Array<{ id: string }> }>('GET', `/v1.0/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${application.appId}'`)}`)).value[0];
    const graphPrincipal = (await graph.call<{ value: Array<{ id: string }> }>('GET', `/v1.0/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${MICROSOFT_GRAPH_APP_ID}'`)}`)).value[0];
    const grants = principal ? (await graph.call<{ value: Array<{ resourceId: string; appRoleId: string }> }>('GET', `/v1.0/servicePrincipals/${principal.id}/appRoleAssignments`)).value : [];
    if (grants.some((grant) => grant.resourceId === graphPrincipal?.id && grant.appRoleId === RECEIVE_PAYLOAD_ROLE_ID)) add('permission', 'ok', 'CustomAuthenticationExtension.Receive.Payload is granted');
    else add('permission', 'problem', principal ? 'CustomAuthenticationExtension.Receive.Payload is not granted to the app registration' : 'the app registration has no service principal, so nothing is granted to it', 1003021);

    const key = application.keyCredentials.find((credential) => credential.keyId === application.tokenEncryptionKeyId);
    if (!key || key.usage !== 'Encrypt') {
      add('encryption certificate', 'problem', 'tokenEncryptionKeyId does not name a keyCredential with usage Encrypt: Entra has nothing to encrypt passwords to', 1003001);
    } else {
      const x5t = key.customKeyIdentifier ? Buffer.from(key.customKeyIdentifier, 'base64').toString('base64url') : undefined;
      if (options.serverKeyThumbprints.length === 0 && !options.keysWithoutCertificate) add('encryption certificate', 'warning', `the server's keys were not given (JIT_DECRYPTION_KEY_FILE or --key-file); the certificate (x5t ${x5t ?? 'unknown'}) was not compared`);
      else if (x5t && options.serverKeyThumbprints.includes(x5t)) add('encryption certificate', 'ok', `Entra encrypts to x5t ${x5t}, a key the server holds`);
      else if ((options.keysWithoutCertificate ?? 0) > 0) add('encryption certificate', 'warning', `Entra encrypts to x5t ${x5t ?? 'unknown'}; ${options.keysWithoutCertificate} of the server's keys have no certificate in their file and could not be compared (keys generate puts it there)`);
      else add('encryption certificate', 'problem', `Entra encrypts to x5t ${x5t ?? 'unknown'}, which is none of the server's keys (${options.serverKeyThumbprints.join(', ')}): every callout will fail to decrypt`, 1003002);
      const daysLeft = Math.floor((Date.parse(key.endDateTime) - Date.now()) / DAY_IN_MS);
      if (daysLeft < 0) add('certificate expiry', 'problem', `the encryption certificate expired on ${key.endDateTime}; rotate it (keys rotate, then setup)`, 1003001);
      else if (daysLeft < (options.expiryWarningInDays ?? 30)) add('certificate expiry', 'warning', `the encryption certificate expires in ${daysLeft} days (${key.endDateTime}); rotate it now (keys rotate --help)`);
      else add('certificate expiry', 'ok', `valid until ${key.endDateTime}`);
    }
  }

  // The listener.
  const listeners = (await graph.call<{ value: GraphEventListener[] }>('GET', '/beta/identity/authenticationEventListeners')).value;
  const listener = listeners.find((entry) => entry['@odata.type'] === '#microsoft.graph.onPasswordSubmitListener' && entry.handler.customExtension?.id === extension.id);
  if (!listener) {
    add('listener', 'problem', 'no OnPasswordSubmit listener calls this extension: sign-ins never reach it; run entra-migrate setup');
  } else {
    const apps = listener.conditions?.applications?.includeApplications?.map((entry) => entry.appId) ?? [];
    add('listener', 'ok', `${listener.id} calls this extension for ${apps.length > 0 ? apps.join(', ') : 'all applications'}`);
    if (options.flagAttribute && listener.handler.migrationPropertyId !== options.flagAttribute) {
      add('migration flag', 'problem', `the listener reads ${listener.handler.migrationPropertyId ?? 'no attribute'} but the users were flagged with ${options.flagAttribute}: flagged users are never sent to the extension`);
    } else if (listener.handler.migrationPropertyId) add('migration flag', 'ok', `the listener reads ${listener.handler.migrationPropertyId}`);
  }

  // Sign-up under SIGNUP_COLLISION=link: the flows of the listener's applications must collect the legacy id.
  if (options.signUpCollision === 'link') {
    const clientAppIds = listener?.conditions?.applications?.includeApplications?.map((entry) => entry.appId) ?? [];
    findings.push(...(await signUpFindings({ graph, clientAppIds, legacyIdAttribute: options.legacyIdAttribute })));
  }

  // The other events' listeners and sign-up flow handlers for the same client applications (event-checks.ts).
  const clientAppIds = options.clientAppIds ?? (listener && !listener.conditions?.applications?.includeAllApplications ? listener.conditions.applications.includeApplications.map((entry) => entry.appId) : []);
  findings.push(...(await eventFindings({ graph, clientAppIds, ...(options.fetch && { fetch: options.fetch }) })));
  return findings;
}
