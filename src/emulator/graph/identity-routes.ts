import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { TenantObjects } from '../tenant-objects.js';
import { graphError } from './graph-error.js';
import { customExtensionFrom, listenerFrom, patchedListener } from './listener-rules.js';
import { badRequest, bodyOf, graphList, GUID, notFound, type Body } from './replies.js';
import { patchedUserFlow, usedByUserFlow, userFlowAttributeFrom, userFlowAttributes, userFlowFrom, withUserFlowAttribute } from './user-flow-rules.js';

/** Graph beta holds these; v1.0 is accepted too. */
const VERSIONS = ['beta', 'v1.0'] as const;

/**
 * `identity/customAuthenticationExtensions`, `identity/authenticationEventListeners` and
 * `identity/authenticationEventsFlows` (sign-up user flows) — list, get, create, update, delete — their
 * `conditions/applications/includeApplications` (add with POST, remove with DELETE), and `identity/userFlowAttributes`,
 * with Graph's validation: a PATCH of a listener carries only what Graph's update page allows.
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
    // Its type cannot change: a listener's handler references an extension of one type.
    patched: (existing, body) => {
      if ('@odata.type' in body && String(body['@odata.type']).toLowerCase() !== existing['@odata.type'].toLowerCase()) return `The @odata.type of a custom extension cannot change; it is ${existing['@odata.type']}.`;
      return customExtensionFrom({ ...existing, ...body, '@odata.type': existing['@odata.type'] }, existing.id);
    },
    inUse: (id) => {
      if ([...objects.listeners.values()].some((listener) => listener.handler.customExtension.id === id)) return 'The custom extension is in use by an authentication event listener.';
      return usedByUserFlow(objects, id) ? 'The custom extension is in use by a user flow.' : null;
    },
  });
  collection('authenticationEventListeners', objects.listeners, { from: (body, id) => listenerFrom(objects, body, id), patched: (existing, body) => patchedListener(objects, existing, body) });
  // Sign-up user flows (externalUsersSelfServiceSignUpEventsFlow): https://learn.microsoft.com/graph/api/identitycontainer-post-authenticationeventsflows?view=graph-rest-1.0
  collection('authenticationEventsFlows', objects.userFlows, { from: (body, id) => userFlowFrom(objects, body, id), patched: (existing, body) => patchedUserFlow(objects, existing, body) });

  // The tenant's user flow attributes: built-in ones and custom ones (directory extension properties).
  // https://learn.microsoft.com/graph/api/identityuserflowattribute-list?view=graph-rest-1.0
  for (const version of VERSIONS) {
    graph.get(`/${version}/identity/userFlowAttributes`, async () => graphList('identity/userFlowAttributes', userFlowAttributes(objects), version));
    graph.get(`/${version}/identity/userFlowAttributes/:id`, async (request, reply) => {
      const { id } = request.params as { id: string };
      return userFlowAttributes(objects).find((attribute) => attribute.id.toLowerCase() === id.toLowerCase()) ?? notFound(reply, id);
    });
    graph.post(`/${version}/identity/userFlowAttributes`, async (request, reply) => {
      const result = userFlowAttributeFrom(objects, bodyOf(request.body));
      return typeof result === 'string' ? badRequest(reply, result) : reply.code(201).send(result);
    });
  }

  // A user flow's attributes: list, and add one by reference (it joins the page with default settings).
  for (const version of VERSIONS) {
    const path = `/${version}/identity/authenticationEventsFlows/:id/microsoft.graph.externalUsersSelfServiceSignUpEventsFlow/onAttributeCollection/microsoft.graph.onAttributeCollectionExternalUsersSelfServiceSignUp/attributes`;
    graph.get(path, async (request, reply) => {
      const { id } = request.params as { id: string };
      const flow = objects.userFlows.get(id);
      return flow ? graphList('identity/userFlowAttributes', flow.onAttributeCollection?.attributes ?? [], version) : notFound(reply, id);
    });
    graph.post(`${path}/$ref`, async (request, reply) => {
      const { id } = request.params as { id: string };
      const flow = objects.userFlows.get(id);
      if (!flow) return notFound(reply, id);
      const result = withUserFlowAttribute(objects, flow, bodyOf(request.body));
      if (typeof result === 'string') return badRequest(reply, result);
      objects.userFlows.set(id, result);
      return reply.code(204).send();
    });
  }

  // A user flow's linked applications: https://learn.microsoft.com/graph/api/authenticationconditionsapplications-post-includeapplications?view=graph-rest-1.0
  for (const version of VERSIONS) {
    const path = `/${version}/identity/authenticationEventsFlows/:id/conditions/applications/includeApplications`;
    graph.get(path, async (request, reply) => {
      const { id } = request.params as { id: string };
      const flow = objects.userFlows.get(id);
      return flow ? graphList(`identity/authenticationEventsFlows('${id}')/conditions/applications/includeApplications`, flow.conditions.applications.includeApplications, version) : notFound(reply, id);
    });
    graph.post(path, async (request, reply) => {
      const { id } = request.params as { id: string };
      const flow = objects.userFlows.get(id);
      if (!flow) return notFound(reply, id);
      const { appId } = bodyOf(request.body);
      if (typeof appId !== 'string' || !GUID.test(appId)) return badRequest(reply, 'appId must be the application (client) id GUID of the application to link.');
      const included = flow.conditions.applications.includeApplications;
      if (included.some((entry) => entry.appId === appId.toLowerCase())) return reply.code(409).send(graphError('Request_MultipleObjectsWithSameKeyValue', `The application ${appId} is already linked to the user flow.`));
      included.push({ appId: appId.toLowerCase() });
      objects.userFlows.set(id, flow);
      return reply.code(201).send({ '@odata.type': '#microsoft.graph.authenticationConditionApplication', appId: appId.toLowerCase() });
    });
    graph.delete(`${path}/:appId`, async (request, reply) => {
      const { id, appId } = request.params as { id: string; appId: string };
      const flow = objects.userFlows.get(id);
      if (!flow) return notFound(reply, id);
      const included = flow.conditions.applications.includeApplications;
      const index = included.findIndex((entry) => entry.appId === appId.toLowerCase());
      if (index < 0) return notFound(reply, appId);
      included.splice(index, 1);
      objects.userFlows.set(id, flow);
      return reply.code(204).send();
    });
  }

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
