import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { TenantObjects } from '../tenant-objects.js';
import { graphError } from './graph-error.js';
import { customExtensionFrom, listenerFrom, patchedListener } from './listener-rules.js';
import { badRequest, bodyOf, graphList, GUID, notFound, type Body } from './replies.js';

/** Graph beta holds these; v1.0 is accepted too. */
const VERSIONS = ['beta', 'v1.0'] as const;

/**
 * `identity/customAuthenticationExtensions` and `identity/authenticationEventListeners` — list, get, create,
 * update, delete — and a listener's `conditions/applications/includeApplications` (add with POST, remove with
 * DELETE), with Graph's validation: a PATCH of a listener carries only what Graph's update page allows.
 */
export const identityRoutes: FastifyPluginAsync<{ objects: TenantObjects }> = async (graph, { objects }) => {
  /**
   * One collection over `store`: `from` validates a new object (Graph's complaint, or the object), `patched` an
   * update of an existing one, and `inUse` may refuse a delete with its reason.
   */
  const collection = <T extends { id: string }>(name: string, store: Map<string, T>, rules: { from: (body: Body, id: string) => T | string; patched: (existing: T, body: Body) => T | string; inUse?: (id: string) => string | null }) => {
    for (const version of VERSIONS) {
      const path = `/${version}/identity/${name}`;
      graph.get(path, async () => graphList(`identity/${name}`, [...store.values()], version));
      graph.get(`${path}/:id`, async (request, reply) => {
        const { id } = request.params as { id: string };
        return store.get(id) ?? notFound(reply, id);
      });
      graph.post(path, async (request, reply) => {
        const result = rules.from(bodyOf(request.body), randomUUID());
        if (typeof result === 'string') return badRequest(reply, result);
        store.set(result.id, result);
        return reply.code(201).send(result);
      });
      graph.patch(`${path}/:id`, async (request, reply) => {
        const { id } = request.params as { id: string };
        const existing = store.get(id);
        if (!existing) return notFound(reply, id);
        const result = rules.patched(existing, bodyOf(request.body));
        if (typeof result === 'string') return badRequest(reply, result);
        store.set(id, result);
        return reply.code(204).send();
      });
      graph.delete(`${path}/:id`, async (request, reply) => {
        const { id } = request.params as { id: string };
        if (!store.has(id)) return notFound(reply, id);
        const refusal = rules.inUse?.(id);
        if (refusal) return badRequest(reply, refusal);
        store.delete(id);
        return reply.code(204).send();
      });
    }
  };
  collection('customAuthenticationExtensions', objects.customExtensions, {
    from: customExtensionFrom,
    // Graph's update page for custom extensions takes the same properties as create: validated whole again.
    patched: (existing, body) => customExtensionFrom({ ...existing, ...body }, existing.id),
    inUse: (id) => ([...objects.listeners.values()].some((listener) => listener.handler.customExtension.id === id) ? 'The custom extension is in use by an authentication event listener.' : null),
  });
  collection('authenticationEventListeners', objects.listeners, { from: (body, id) => listenerFrom(objects, body, id), patched: patchedListener });

  // includeApplications: a containment navigation property of the listener's conditions.
  for (const version of VERSIONS) {
    const path = `/${version}/identity/authenticationEventListeners/:id/conditions/applications/includeApplications`;
    const context = (id: string) => `https://graph.microsoft.com/${version}/$metadata#identity/authenticationEventListeners('${id}')/conditions/applications/includeApplications`;
    graph.get(path, async (request, reply) => {
      const { id } = request.params as { id: string };
      const listener = objects.listeners.get(id);
      return listener ? { '@odata.context': context(id), value: listener.conditions.applications.includeApplications } : notFound(reply, id);
    });
    graph.post(path, async (request, reply) => {
      const { id } = request.params as { id: string };
      const listener = objects.listeners.get(id);
      if (!listener) return notFound(reply, id);
      const { appId, '@odata.type': type } = bodyOf(request.body);
      if (type !== undefined && type !== '#microsoft.graph.authenticationConditionApplication') return badRequest(reply, '@odata.type must be #microsoft.graph.authenticationConditionApplication.');
      if (typeof appId !== 'string' || !GUID.test(appId)) return badRequest(reply, 'appId must be the application (client) id GUID of the application to include.');
      const included = listener.conditions.applications.includeApplications;
      if (included.some((entry) => entry.appId === appId.toLowerCase())) {
        return reply.code(409).send(graphError('Request_MultipleObjectsWithSameKeyValue', `The application ${appId} is already included in the listener.`));
      }
      included.push({ appId: appId.toLowerCase() });
      objects.listeners.set(id, listener);
      return reply.code(201).send({ '@odata.context': `${context(id)}/$entity`, appId: appId.toLowerCase() });
    });
    graph.delete(`${path}/:appId`, async (request, reply) => {
      const { id, appId } = request.params as { id: string; appId: string };
      const listener = objects.listeners.get(id);
      if (!listener) return notFound(reply, id);
      const included = listener.conditions.applications.includeApplications;
      const index = included.findIndex((entry) => entry.appId === appId.toLowerCase());
      if (index < 0) return notFound(reply, appId);
      included.splice(index, 1);
      objects.listeners.set(id, listener);
      return reply.code(204).send();
    });
  }
};
