import type { GraphClient, GraphEventListener as Listener } from '../graph/index.js';
import type { SetupStep } from './setup-step.js';

export const LISTENER_TYPE = '#microsoft.graph.onPasswordSubmitListener';
const HANDLER_TYPE = '#microsoft.graph.onPasswordMigrationCustomExtensionHandler';
const APPLICATION_TYPE = '#microsoft.graph.authenticationConditionApplication';

/** Sends one write (or, in a dry run, only records it on the step); answers Graph's body. */
export type SetupWrite = <T>(step: SetupStep, method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown) => Promise<T | undefined>;

export interface ListenerStepOptions {
  graph: GraphClient;
  dryRun: boolean;
  write: SetupWrite;
  /** The custom extension the listener's handler calls (a dry run's placeholder when it is not created yet). */
  customExtensionId: string;
  flagAttribute: string;
  clientAppIds: readonly string[];
}

/**
 * Step 4 of setup: the `onPasswordSubmitListener` that sends the client applications' flagged users to the
 * extension. A new one is created whole. An existing one is changed only through the calls Graph documents for
 * this listener type: its applications are added with `POST …/conditions/applications/includeApplications` and
 * removed with `DELETE …/includeApplications/{appId}` (a containment navigation property, never in a PATCH);
 * `includeAllApplications` is turned off by a PATCH of `conditions`; its handler cannot be updated (Graph's update
 * page lists no handler for onPasswordSubmitListener), so a listener reading another flag is deleted and created
 * again. Additions come before removals, so the listener never covers no application.
 *
 * @example
 *   const { step, listenerId } = await listenerStep({ graph, dryRun, write, customExtensionId, flagAttribute, clientAppIds });
 */
export async function listenerStep(options: ListenerStepOptions): Promise<{ step: SetupStep; listenerId: string }> {
  return eventListenerStep({
    ...options,
    stepName: 'listener',
    listenerType: LISTENER_TYPE,
    handler: { '@odata.type': HANDLER_TYPE, migrationPropertyId: options.flagAttribute, customExtension: { id: options.customExtensionId } },
    detail: `flag ${options.flagAttribute}`,
    recreate: (listener) => listener.handler.migrationPropertyId !== options.flagAttribute,
  });
}

export interface EventListenerStepOptions {
  graph: GraphClient;
  dryRun: boolean;
  write: SetupWrite;
  stepName: string;
  listenerType: string;
  /** The handler of a new listener; `customExtension.id` finds an existing one. */
  handler: { '@odata.type': string; customExtension: { id: string }; [property: string]: unknown };
  clientAppIds: readonly string[];
  /** What the step line adds after the applications. */
  detail: string;
  /** True when the existing listener's handler must change and Graph cannot PATCH it: delete and create. */
  recreate?: (listener: Listener) => boolean;
  /** The PATCH body that brings an existing listener's handler in line, or undefined when it is (Graph allows a handler PATCH on this type). */
  handlerPatch?: (listener: Listener) => Record<string, unknown> | undefined;
}

/**
 * A listener of any type for the client applications, calling one custom extension: created whole when missing;
 * otherwise its handler PATCHed (`handlerPatch`) or the listener replaced (`recreate`), and its applications synced
 * through the includeApplications navigation property, additions before removals.
 *
 * @example
 *   await eventListenerStep({ graph, dryRun, write, stepName: 'listener (OnOtpSend)', listenerType: '#microsoft.graph.onEmailOtpSendListener', handler, clientAppIds, detail: 'fallback on' });
 */
export async function eventListenerStep(options: EventListenerStepOptions): Promise<{ step: SetupStep; listenerId: string }> {
  const { graph, write } = options;
  const step: SetupStep = { name: options.stepName, status: 'in place', detail: '', requests: [] };
  const changed = () => (step.status = options.dryRun ? 'would update' : 'updated');
  const wantedApps = [...new Set(options.clientAppIds.map((id) => id.toLowerCase()))].sort();
  const body = {
    '@odata.type': options.listenerType,
    conditions: { applications: { includeAllApplications: false, includeApplications: wantedApps.map((appId) => ({ appId })) } },
    priority: 500,
    handler: options.handler,
  };
  const customExtensionId = options.handler.customExtension.id;
  const listeners = (await graph.call<{ value: Listener[] }>('GET', '/beta/identity/authenticationEventListeners')).value.filter((entry) => entry['@odata.type'] === options.listenerType);
  const listener = listeners.find((entry) => entry.handler.customExtension?.id === customExtensionId);
  step.detail = `for ${wantedApps.join(', ')}; ${options.detail}`;
  const create = async () => (await write<Listener>(step, 'POST', '/beta/identity/authenticationEventListeners', body))?.id ?? '<listener id of the new object>';

  if (!listener) {
    const listenerId = await create();
    step.status = options.dryRun ? 'would create' : 'created';
    return { step, listenerId };
  }
  const path = `/beta/identity/authenticationEventListeners/${listener.id}`;
  if (options.recreate?.(listener)) {
    await write(step, 'DELETE', path);
    changed();
    return { step, listenerId: await create() };
  }
  const handlerPatch = options.handlerPatch?.(listener);
  if (handlerPatch) {
    await write(step, 'PATCH', path, handlerPatch);
    changed();
  }
  const present = new Set(listener.conditions.applications.includeApplications.map((entry) => entry.appId.toLowerCase()));
  for (const appId of wantedApps.filter((id) => !present.has(id))) {
    await write(step, 'POST', `${path}/conditions/applications/includeApplications`, { '@odata.type': APPLICATION_TYPE, appId });
    changed();
  }
  if (listener.conditions.applications.includeAllApplications) {
    await write(step, 'PATCH', path, { '@odata.type': options.listenerType, conditions: { applications: { includeAllApplications: false } } });
    changed();
  }
  for (const appId of [...present].filter((id) => !wantedApps.includes(id))) {
    await write(step, 'DELETE', `${path}/conditions/applications/includeApplications/${appId}`);
    changed();
  }
  return { step, listenerId: listener.id };
}
