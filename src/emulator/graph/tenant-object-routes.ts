import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { Application, KeyCredential, TenantObjects } from '../tenant-objects.js';
import { graphError } from './graph-error.js';
import { claimsMappingRoutes } from './claims-mapping-routes.js';
import { identityRoutes } from './identity-routes.js';
import { badRequest, bodyOf, graphList as list, GUID, notFound, type Body } from './replies.js';

const EXTENSION_PROPERTY_NAME = /^[A-Za-z][A-Za-z0-9_]{0,119}$/;
const DATA_TYPES = new Set(['Binary', 'Boolean', 'DateTime', 'Integer', 'LargeInteger', 'String']);
/** The `$filter` forms the emulator answers for applications and service principals. */
const EQ_FILTER = /^(displayName|appId) eq '((?:[^']|'')*)'$/;
const STARTSWITH_FILTER = /^startswith\(displayName,\s*'((?:[^']|'')*)'\)$/;

const isoSeconds = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The tenant-configuration subset of Graph that `setup` and `doctor` call: `applications` (with
 * `extensionProperties`), `servicePrincipals` (with `appRoleAssignments`), and (identity-routes.ts)
 * `identity/customAuthenticationExtensions` and `identity/authenticationEventListeners` — with Graph's shapes,
 * `$filter` on `displayName`/`appId`, and Graph's validation errors for what it refuses.
 */
export const tenantObjectRoutes: FastifyPluginAsync<{ objects: TenantObjects }> = async (graph, { objects }) => {
  const filtered = <T extends { displayName: string; appId: string }>(items: T[], filter: unknown): T[] | null => {
    if (filter === undefined) return items;
    if (typeof filter !== 'string') return null;
    const unquote = (text: string) => text.replace(/''/g, "'");
    const eq = EQ_FILTER.exec(filter.trim());
    if (eq) return items.filter((item) => (eq[1] === 'appId' ? item.appId.toLowerCase() === unquote(eq[2]!).toLowerCase() : item.displayName === unquote(eq[2]!)));
    const prefix = STARTSWITH_FILTER.exec(filter.trim());
    if (prefix) return items.filter((item) => item.displayName.toLowerCase().startsWith(unquote(prefix[1]!).toLowerCase()));
    return null;
  };

  // Applications
  graph.get('/v1.0/applications', async (request, reply) => {
    const value = filtered([...objects.applications.values()], (request.query as Body).$filter);
    return value ? list('applications', value.map(showApplication)) : reply.code(400).send(graphError('Request_UnsupportedQuery', 'Unsupported or invalid query filter clause specified.'));
  });
  graph.post('/v1.0/applications', async (request, reply) => {
    const body = bodyOf(request.body);
    if (typeof body.displayName !== 'string' || body.displayName.trim() === '' || body.displayName.length > 256) return badRequest(reply, 'displayName is required.');
    return reply.code(201).send(showApplication(objects.addApplication(body.displayName)));
  });
  graph.get('/v1.0/applications/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const application = objects.applications.get(id);
    if (!application) return notFound(reply, id);
    // As Graph: the certificates' `key` comes back only when one application is read with $select=keyCredentials.
    const select = String((request.query as Body).$select ?? '').split(',').map((field) => field.trim());
    return select.includes('keyCredentials') ? { id: application.id, keyCredentials: application.keyCredentials } : showApplication(application);
  });
  graph.patch('/v1.0/applications/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const application = objects.applications.get(id);
    if (!application) return notFound(reply, id);
    const problem = patchApplication(application, bodyOf(request.body));
    if (problem) return badRequest(reply, problem);
    objects.applications.set(application.id, application);
    return reply.code(204).send();
  });

  // Extension properties
  graph.get('/v1.0/applications/:id/extensionProperties', async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!objects.applications.has(id)) return notFound(reply, id);
    return list('extensionProperties', [...objects.extensionProperties.values()].filter((property) => property.ownerId === id).map((property) => showExtensionProperty(objects, property)));
  });
  graph.post('/v1.0/applications/:id/extensionProperties', async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!objects.applications.has(id)) return notFound(reply, id);
    const body = bodyOf(request.body);
    const targetObjects = Array.isArray(body.targetObjects) ? body.targetObjects.map(String) : [];
    if (typeof body.name !== 'string' || !EXTENSION_PROPERTY_NAME.test(body.name)) return badRequest(reply, 'name must start with a letter and hold only letters, digits and _ (at most 120).');
    if (typeof body.dataType !== 'string' || !DATA_TYPES.has(body.dataType)) return badRequest(reply, `dataType must be one of ${[...DATA_TYPES].join(', ')}.`);
    if (targetObjects.length === 0 || targetObjects.some((target) => !['User', 'Group', 'Application', 'Device', 'Organization', 'ServicePrincipal'].includes(target))) return badRequest(reply, 'targetObjects must list directory object types, e.g. ["User"].');
    if ([...objects.extensionProperties.values()].some((property) => property.ownerId === id && property.name.toLowerCase() === (body.name as string).toLowerCase())) {
      return badRequest(reply, 'Property with the same name already exists on the application.');
    }
    const property = { id: randomUUID(), ownerId: id, name: body.name, dataType: body.dataType, targetObjects };
    objects.extensionProperties.set(property.id, property);
    return reply.code(201).send(showExtensionProperty(objects, property));
  });

  // Service principals and app role grants
  graph.get('/v1.0/servicePrincipals', async (request, reply) => {
    const value = filtered([...objects.servicePrincipals.values()], (request.query as Body).$filter);
    return value ? list('servicePrincipals', value.map(({ claimsMappingPolicyIds: _assigned, ...principal }) => principal)) : reply.code(400).send(graphError('Request_UnsupportedQuery', 'Unsupported or invalid query filter clause specified.'));
  });
  graph.post('/v1.0/servicePrincipals', async (request, reply) => {
    const { appId } = bodyOf(request.body);
    if (typeof appId !== 'string' || !GUID.test(appId)) return badRequest(reply, 'appId must be the GUID of an application.');
    const application = objects.applicationByAppId(appId);
    if (!application) return badRequest(reply, `The appId '${appId}' of the service principal does not reference a valid application object.`);
    if (objects.servicePrincipalByAppId(appId)) {
      return reply.code(409).send(graphError('Request_MultipleObjectsWithSameKeyValue', `The service principal cannot be created, updated, or restored because the service principal name ${appId} is already in use.`));
    }
    return reply.code(201).send(objects.addServicePrincipal(application.appId, application.displayName));
  });
  graph.get('/v1.0/servicePrincipals/:id/appRoleAssignments', async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!objects.servicePrincipals.has(id)) return notFound(reply, id);
    return list('appRoleAssignments', [...objects.appRoleAssignments.values()].filter((grant) => grant.principalId === id).map((grant) => showGrant(objects, grant)));
  });
  graph.post('/v1.0/servicePrincipals/:id/appRoleAssignments', async (request, reply) => {
    const { id } = request.params as { id: string };
    const principal = objects.servicePrincipals.get(id);
    if (!principal) return notFound(reply, id);
    const body = bodyOf(request.body);
    if (body.principalId !== id) return badRequest(reply, 'principalId must be the service principal in the URL.');
    const resource = typeof body.resourceId === 'string' ? objects.servicePrincipals.get(body.resourceId) : undefined;
    if (!resource) return badRequest(reply, 'resourceId must be the object id of the resource service principal.');
    if (typeof body.appRoleId !== 'string' || !resource.appRoles.some((role) => role.id === body.appRoleId)) return badRequest(reply, 'Permission being assigned was not found on application');
    if (objects.hasRole(id, resource.id, body.appRoleId)) return badRequest(reply, 'Permission being assigned already exists on the object');
    const grant = { id: randomUUID(), principalId: id, resourceId: resource.id, appRoleId: body.appRoleId, createdDateTime: isoSeconds(new Date()) };
    objects.appRoleAssignments.set(grant.id, grant);
    return reply.code(201).send(showGrant(objects, grant));
  });

  await graph.register(identityRoutes, { objects });
  await graph.register(claimsMappingRoutes, { objects });
};

/** Applies a PATCH to an application as Graph validates it; returns Graph's complaint, or null. Nothing changes on a complaint. */
function patchApplication(application: Application, body: Body): string | null {
  const next = structuredClone(application);
  if ('identifierUris' in body) {
    if (!Array.isArray(body.identifierUris) || body.identifierUris.some((uri) => typeof uri !== 'string' || !/^(api|https):\/\/\S+$/.test(uri))) return 'identifierUris must be api:// or https:// URIs.';
    next.identifierUris = body.identifierUris as string[];
  }
  if ('api' in body) {
    // A PATCH of api changes the properties it sends and keeps the others (Graph's apiApplication is a complex type
    // updated property by property: setup sends requestedAccessTokenVersion, and acceptMappedClaims for a client app).
    const api = bodyOf(body.api);
    if ('requestedAccessTokenVersion' in api) {
      const version = api.requestedAccessTokenVersion;
      if (version !== null && version !== 1 && version !== 2) return 'api.requestedAccessTokenVersion must be 1, 2 or null.';
      next.api.requestedAccessTokenVersion = version as 1 | 2 | null;
    }
    if ('acceptMappedClaims' in api) {
      if (api.acceptMappedClaims !== null && typeof api.acceptMappedClaims !== 'boolean') return 'api.acceptMappedClaims must be true, false or null.';
      next.api.acceptMappedClaims = api.acceptMappedClaims as boolean | null;
    }
  }
  if ('requiredResourceAccess' in body) {
    if (!Array.isArray(body.requiredResourceAccess)) return 'requiredResourceAccess must be an array.';
    next.requiredResourceAccess = body.requiredResourceAccess as Application['requiredResourceAccess'];
  }
  if ('keyCredentials' in body) {
    if (!Array.isArray(body.keyCredentials)) return 'keyCredentials must be an array.';
    const credentials: KeyCredential[] = [];
    for (const entry of body.keyCredentials.map(bodyOf)) {
      // The collection is replaced as a whole: every credential kept must be sent with its key (read with $select).
      const key = typeof entry.key === 'string' ? entry.key : undefined;
      if (typeof entry.keyId !== 'string' || !GUID.test(entry.keyId)) return 'Each key credential needs a keyId GUID.';
      if (entry.type !== 'AsymmetricX509Cert' || (entry.usage !== 'Encrypt' && entry.usage !== 'Verify')) return 'Key credentials must be type AsymmetricX509Cert with usage Encrypt or Verify.';
      if (!key) return `Key credential ${entry.keyId} has no key.`;
      let certificate: X509Certificate;
      try {
        certificate = new X509Certificate(Buffer.from(key, 'base64'));
      } catch {
        return 'Key credential value is invalid: not a base64 X.509 certificate.';
      }
      const start = typeof entry.startDateTime === 'string' ? new Date(entry.startDateTime) : new Date(certificate.validFrom);
      const end = typeof entry.endDateTime === 'string' ? new Date(entry.endDateTime) : new Date(certificate.validTo);
      if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || start > end) return 'Key credential start and end dates are invalid.';
      if (start < new Date(certificate.validFrom) || end > new Date(certificate.validTo)) return 'Key credential end date is invalid: it lies outside the certificate\'s validity.';
      credentials.push({
        keyId: entry.keyId,
        type: entry.type,
        usage: entry.usage,
        key,
        customKeyIdentifier: typeof entry.customKeyIdentifier === 'string' ? entry.customKeyIdentifier : createHash('sha1').update(certificate.raw).digest('base64'),
        displayName: typeof entry.displayName === 'string' ? entry.displayName : certificate.subject,
        startDateTime: isoSeconds(start),
        endDateTime: isoSeconds(end),
      });
    }
    if (new Set(credentials.map((credential) => credential.keyId)).size !== credentials.length) return 'Key credential keyIds must be unique.';
    next.keyCredentials = credentials;
  }
  if ('tokenEncryptionKeyId' in body) next.tokenEncryptionKeyId = typeof body.tokenEncryptionKeyId === 'string' ? body.tokenEncryptionKeyId : null;
  if (next.tokenEncryptionKeyId !== null && !next.keyCredentials.some((credential) => credential.keyId === next.tokenEncryptionKeyId && credential.usage === 'Encrypt')) {
    return 'tokenEncryptionKeyId must be the keyId of a key credential with usage Encrypt.';
  }
  Object.assign(application, next);
  return null;
}

/** An application as Graph returns it: key credentials without their `key` (Graph never returns it). */
function showApplication(application: Application) {
  return { ...application, keyCredentials: application.keyCredentials.map((credential) => ({ ...credential, key: null })) };
}

function showExtensionProperty(objects: TenantObjects, property: { id: string; ownerId: string; name: string; dataType: string; targetObjects: string[] }) {
  return { id: property.id, name: objects.extensionAttributeName(property), dataType: property.dataType, targetObjects: property.targetObjects, isSyncedFromOnPremises: false, appDisplayName: objects.applications.get(property.ownerId)?.displayName ?? null };
}

function showGrant(objects: TenantObjects, grant: { id: string; principalId: string; resourceId: string; appRoleId: string; createdDateTime: string }) {
  return {
    ...grant,
    principalType: 'ServicePrincipal',
    principalDisplayName: objects.servicePrincipals.get(grant.principalId)?.displayName ?? null,
    resourceDisplayName: objects.servicePrincipals.get(grant.resourceId)?.displayName ?? null,
  };
}
