import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { policyViolationOf } from '../../jit/index.js';
import type { Directory, DirectoryUser, Identity, PhoneType } from '../directory.js';
import { EmulatorError, EmulatorErrorCode } from '../errors.js';
import type { EmulatedTenant } from '../tenant.js';
import type { ClientApps } from './client-apps.js';
import { graphError } from './graph-error.js';
import { checkExtensionAttributes } from './extension-attributes.js';
import { pageOfUsers } from '../user-pages.js';
import { createdUser, filterUsers, userUpdateOf } from './graph-user.js';
import { selectUser, userSelection, usersContextPath, type UserSelection } from './user-select.js';
import type { TenantObjects } from '../tenant-objects.js';
import { tenantObjectRoutes } from './tenant-object-routes.js';
import { createWriteAdmission, type GraphFaults } from './write-admission.js';
import type { WriteBudget } from './write-budget.js';
import { createReadAdmission } from './read-admission.js';
import type { ReadBudget } from './read-budget.js';

export interface GraphRoutesOptions {
  tenant: EmulatedTenant;
  directory: Directory;
  apps: ClientApps;
  /** Applications, service principals, custom extensions and listeners (`setup`'s Graph calls). */
  objects: TenantObjects;
  budget: WriteBudget;
  /** Graph's resource-unit limit, charged on every request of an app (reads and writes). */
  readBudget: ReadBudget;
  faults: () => GraphFaults;
  now: () => number;
  random?: () => number;
  /** The tenant's directory object quota: `GET /beta/organization` reports it, user creation stops at it. Default 300,000. */
  directoryQuota?: number;
}

/** Graph's $batch limit: at most 20 requests per batch. */
const MAX_BATCH = 20;
/** A new External ID tenant's directory object quota (DESIGN.md). */
const DEFAULT_DIRECTORY_QUOTA = 300_000;
const PASSWORD_TOO_WEAK = 'The specified password does not comply with password complexity requirements. Please provide a different password.';
/**
 * Graph's answer when the tenant's directory object quota is used up. The message is Entra's (AADSTS90093 and
 * Graph reports quote it); the code and 400 status are those Graph gives for the per-principal quota.
 */
const QUOTA_EXCEEDED = 'The directory object quota limit for the Tenant has been exceeded. Please ask your administrator to increase the quota limit or delete objects to reduce the used quota.';

declare module 'fastify' {
  interface FastifyRequest {
    graphApp: string | undefined;
  }
}

/**
 * The Graph subset pre-migration needs, over the emulator's directory: the client-credentials token endpoint,
 * `POST/GET/PATCH /v1.0/users` (a GET answers Graph's default properties, or exactly its `$select`: user-select.ts),
 * `$filter` on identities and mail, and `POST /v1.0/$batch` — with Graph's error
 * shapes, write throttling (429 + Retry-After) and optional fault injection.
 */
export const graphRoutes: FastifyPluginAsync<GraphRoutesOptions> = async (app, options) => {
  const { directory, tenant } = options;
  const admitWrite = createWriteAdmission({ budget: options.budget, faults: options.faults, now: options.now, ...(options.random && { random: options.random }) });
  const admitRequest = createReadAdmission({ budget: options.readBudget, tenantId: tenant.tenantId, now: options.now, userCount: () => directory.countUsers() });
  app.decorateRequest('graphApp', undefined);
  /** Users being created (their password hashing under way), counted against the directory quota. */
  let creating = 0;

  app.post(`/${tenant.tenantId}/oauth2/v2.0/token`, async (request, reply) => {
    const form = (request.body ?? {}) as Record<string, unknown>;
    if (form.grant_type !== 'client_credentials' || typeof form.client_id !== 'string' || typeof form.client_secret !== 'string') {
      return reply.code(400).send({ error: 'unsupported_grant_type', error_description: 'AADSTS70003: only client_credentials with client_id and client_secret is emulated.' });
    }
    const token = await options.apps.issueToken(form.client_id, form.client_secret, options.now());
    if (!token) return reply.code(401).send({ error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
    return { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token };
  });

  app.register(async (graph) => {
    graph.addHook('onRequest', async (request, reply) => {
      request.graphApp = await options.apps.appOf(request.headers.authorization);
      if (!request.graphApp) return reply.code(401).send(graphError('InvalidAuthenticationToken', 'Access token is empty or invalid.'));
      if (admitRequest(request.graphApp, request, reply)) return reply;
      const latency = options.faults().latencyInMs ?? 0;
      if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    });

    graph.addHook('onSend', admitWrite.afterWrite);

    /** Throttling and injected faults for writes; true when the request was answered here. */
    const refuseWrite = (request: FastifyRequest, reply: FastifyReply): boolean => admitWrite(request.graphApp!, reply);

    graph.post('/v1.0/users', async (request, reply) => {
      if (refuseWrite(request, reply)) return reply;
      const body = (request.body ?? {}) as Record<string, unknown>;
      const identities = body.identities as Identity[] | undefined;
      const password = (body.passwordProfile as { password?: unknown } | undefined)?.password;
      if (typeof body.displayName !== 'string' || !Array.isArray(identities) || identities.length === 0 || typeof password !== 'string') {
        return reply.code(400).send(graphError('Request_BadRequest', 'displayName, identities and passwordProfile.password are required.'));
      }
      if (policyViolationOf(password) !== null) return reply.code(400).send(graphError('Request_BadRequest', PASSWORD_TOO_WEAK));
      const extensions = checkExtensionAttributes(options.objects, body);
      if ('problem' in extensions) return reply.code(400).send(graphError('Request_BadRequest', extensions.problem));
      // Creates still hashing their password count too: concurrent requests never overshoot the quota.
      if (directory.countUsers() + creating >= (options.directoryQuota ?? DEFAULT_DIRECTORY_QUOTA)) return reply.code(400).send(graphError('Directory_QuotaExceeded', QUOTA_EXCEEDED));
      creating++;
      try {
        const user = await directory.createUser({
          displayName: body.displayName,
          givenName: typeof body.givenName === 'string' ? body.givenName : null,
          surname: typeof body.surname === 'string' ? body.surname : null,
          mail: typeof body.mail === 'string' ? body.mail : null,
          identities,
          password,
          accountEnabled: body.accountEnabled !== false,
          extensionAttributes: extensions.attributes,
        });
        return reply.code(201).send(createdUser(user, directory, options.objects, extensions.attributes));
      } catch (error) {
        if (error instanceof EmulatorError && error.code === EmulatorErrorCode.DIRECTORY_CONFLICT) {
          return reply.code(400).send(graphError('Request_BadRequest', 'Another object with the same value for property identities already exists.'));
        }
        if (error instanceof EmulatorError) return reply.code(400).send(graphError('Request_BadRequest', error.publicMessage));
        throw error;
      } finally {
        creating--;
      }
    });

    /** The users' answer for the request's `$select`: Graph's default set without one, exactly the selected properties with one. */
    const shown = (selection: UserSelection) => (user: DirectoryUser) => selectUser(user, directory, options.objects, selection);
    const listContext = (selection: UserSelection) => `https://graph.microsoft.com/v1.0/$metadata#${usersContextPath(selection)}`;

    graph.get('/v1.0/users', async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      const selection = userSelection(query.$select);
      if ('problem' in selection) return reply.code(400).send(graphError('BadRequest', selection.problem));
      const filter = query.$filter;
      if (typeof filter !== 'string') {
        const page = pageOfUsers(directory, query, `${request.protocol}://${request.host}/v1.0/users`);
        if (!page.ok) return reply.code(400).send(graphError(page.problem === 'top' ? 'Request_UnsupportedQuery' : 'Directory_ExpiredPageToken', page.message));
        // Graph's next link keeps the query's $select.
        const nextLink = page.nextLink && selection.kind === 'selected' ? `${page.nextLink}&$select=${encodeURIComponent(selection.names.join(','))}` : page.nextLink;
        return {
          '@odata.context': listContext(selection),
          value: page.users.map(shown(selection)),
          ...(nextLink && { '@odata.nextLink': nextLink }),
        };
      }
      const users = filterUsers(filter, directory);
      if (!users) return reply.code(400).send(graphError('Request_UnsupportedQuery', 'Unsupported or invalid query filter clause specified.'));
      return { '@odata.context': listContext(selection), value: users.map(shown(selection)) };
    });

    graph.get('/v1.0/users/:id', async (request, reply) => {
      const selection = userSelection((request.query as Record<string, unknown>).$select);
      if ('problem' in selection) return reply.code(400).send(graphError('BadRequest', selection.problem));
      const user = directory.getUser((request.params as { id: string }).id);
      if (!user) return reply.code(404).send(graphError('Request_ResourceNotFound', `Resource '${(request.params as { id: string }).id.slice(0, 64)}' does not exist.`));
      return { '@odata.context': `${listContext(selection)}/$entity`, ...shown(selection)(user) };
    });

    graph.patch('/v1.0/users/:id', async (request, reply) => {
      if (refuseWrite(request, reply)) return reply;
      const user = directory.getUser((request.params as { id: string }).id);
      if (!user) return reply.code(404).send(graphError('Request_ResourceNotFound', 'Resource does not exist.'));
      const body = request.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return reply.code(400).send(graphError('BadRequest', 'Empty Payload. JSON content expected.'));
      // Checked whole before anything changes, as Graph refuses the whole PATCH.
      const update = userUpdateOf(body as Record<string, unknown>, user, directory);
      if ('problem' in update) return reply.code(400).send(graphError(update.code, update.problem));
      const extensions = checkExtensionAttributes(options.objects, body as Record<string, unknown>);
      if ('problem' in extensions) return reply.code(400).send(graphError('Request_BadRequest', extensions.problem));
      const password = ((body as Record<string, unknown>).passwordProfile as { password?: unknown } | undefined)?.password;
      if (typeof password === 'string' && policyViolationOf(password) !== null) return reply.code(400).send(graphError('Request_BadRequest', PASSWORD_TOO_WEAK));
      if (Object.keys(update.edit).length > 0) directory.updateUser(user.id, update.edit);
      for (const [name, value] of Object.entries(extensions.attributes)) directory.setExtensionAttribute(user.id, name, value);
      if (typeof password === 'string') await directory.setPassword(user.id, password);
      return reply.code(204).send();
    });

    const methodOwner = (request: FastifyRequest, reply: FastifyReply) => {
      const id = (request.params as { id: string }).id;
      if (directory.getUser(id)) return id;
      void reply.code(404).send(graphError('Request_ResourceNotFound', `Resource '${id.slice(0, 64)}' does not exist.`));
      return undefined;
    };
    const addMethod = (reply: FastifyReply, userId: string, method: Parameters<Directory['addAuthenticationMethod']>[1]) => {
      try {
        const added = directory.addAuthenticationMethod(userId, method);
        const { kind: _kind, ...shown } = added;
        return reply.code(201).send(shown);
      } catch (error) {
        if (error instanceof EmulatorError) return reply.code(400).send(graphError('badRequest', `${error.publicMessage.replace(/\.$/, '')}; a method of this kind already exists.`));
        throw error;
      }
    };

    graph.post('/v1.0/users/:id/authentication/emailMethods', async (request, reply) => {
      if (refuseWrite(request, reply)) return reply;
      const userId = methodOwner(request, reply);
      if (!userId) return reply;
      const emailAddress = (request.body as { emailAddress?: unknown } | undefined)?.emailAddress;
      if (typeof emailAddress !== 'string' || !/^[^\s@]{1,64}@[^\s@]{1,255}$/.test(emailAddress)) {
        return reply.code(400).send(graphError('badRequest', 'emailAddress is required and must be an e-mail address.'));
      }
      return addMethod(reply, userId, { kind: 'email', emailAddress });
    });

    graph.post('/v1.0/users/:id/authentication/phoneMethods', async (request, reply) => {
      if (refuseWrite(request, reply)) return reply;
      const userId = methodOwner(request, reply);
      if (!userId) return reply;
      const body = (request.body ?? {}) as { phoneNumber?: unknown; phoneType?: unknown };
      const phoneType = body.phoneType ?? 'mobile';
      if (typeof body.phoneNumber !== 'string' || !/^\+[1-9][0-9 ]{6,24}$/.test(body.phoneNumber) || !['mobile', 'alternateMobile', 'office'].includes(String(phoneType))) {
        return reply.code(400).send(graphError('badRequest', 'phoneNumber must be "+{country code} {number}", phoneType mobile, alternateMobile or office.'));
      }
      return addMethod(reply, userId, { kind: 'phone', phoneNumber: body.phoneNumber, phoneType: phoneType as PhoneType });
    });

    graph.get('/v1.0/users/:id/authentication/methods', async (request, reply) => {
      const userId = methodOwner(request, reply);
      if (!userId) return reply;
      return {
        value: directory.listAuthenticationMethods(userId).map(({ kind, ...method }) => ({
          '@odata.type': kind === 'email' ? '#microsoft.graph.emailAuthenticationMethod' : '#microsoft.graph.phoneAuthenticationMethod',
          ...method,
        })),
      };
    });

    // directorySizeQuota is in Graph's beta only.
    graph.get('/beta/organization', async () => ({
      '@odata.context': 'https://graph.microsoft.com/beta/$metadata#organization',
      value: [{ id: tenant.tenantId, directorySizeQuota: { used: directory.countUsers(), total: options.directoryQuota ?? DEFAULT_DIRECTORY_QUOTA } }],
    }));

    await graph.register(tenantObjectRoutes, { objects: options.objects });

    graph.post('/v1.0/$batch', async (request, reply) => {
      const requests = (request.body as { requests?: unknown } | undefined)?.requests;
      if (!Array.isArray(requests) || requests.length === 0 || requests.length > MAX_BATCH) {
        return reply.code(400).send(graphError('BadRequest', `A batch holds 1 to ${MAX_BATCH} requests.`));
      }
      const statuses = new Map<string, number>();
      const responses = [];
      for (const inner of requests as Array<Record<string, unknown>>) {
        const id = String(inner.id ?? '');
        const dependsOn = Array.isArray(inner.dependsOn) ? inner.dependsOn.map(String) : [];
        if (dependsOn.some((dependency) => (statuses.get(dependency) ?? 424) >= 400)) {
          statuses.set(id, 424);
          responses.push({ id, status: 424, headers: {}, body: graphError('FailedDependency', 'A request this one depends on failed.') });
          continue;
        }
        const method = String(inner.method ?? '').toUpperCase();
        const url = String(inner.url ?? '');
        if (!['GET', 'POST', 'PATCH'].includes(method) || !url.startsWith('/') || url.startsWith('/$batch')) {
          statuses.set(id, 400);
          responses.push({ id, status: 400, headers: {}, body: graphError('BadRequest', 'Invalid method or URL in the batch request.') });
          continue;
        }
        const result = await app.inject({
          method: method as 'GET' | 'POST' | 'PATCH',
          url: `/v1.0${url}`,
          headers: { authorization: request.headers.authorization ?? '', 'content-type': 'application/json' },
          ...(inner.body !== undefined && { payload: JSON.stringify(inner.body) }),
        });
        statuses.set(id, result.statusCode);
        const retryAfter = result.headers['retry-after'];
        const limitShare = result.headers['x-ms-throttle-limit-percentage'];
        responses.push({
          id,
          status: result.statusCode,
          headers: { 'content-type': 'application/json', ...(retryAfter !== undefined && { 'retry-after': String(retryAfter) }), ...(limitShare !== undefined && { 'x-ms-throttle-limit-percentage': String(limitShare) }) },
          body: result.body ? (JSON.parse(result.body) as unknown) : null,
        });
      }
      return { responses };
    });
  });
};
