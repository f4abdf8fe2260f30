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
  const { graph, write } = options;
  const step: SetupStep = { name: 'listener', status: 'in place', detail: '', requests: [] };
  const changed = () => (step.status = options.dryRun ? 'would update' : 'updated');
  const wantedApps = [...new Set(options.clientAppIds.map((id) => id.toLowerCase()))].sort();
  const body = {
    '@odata.type': LISTENER_TYPE,
    conditions: { applications: { includeAllApplications: false, includeApplications: wantedApps.map((appId) => ({ appId })) } },
    priority: 500,
    handler: { '@odata.type': HANDLER_TYPE, migrationPropertyId: options.flagAttribute, customExtension: { id: options.customExtensionId } },
  };
  const listeners = (await graph.call<{ value: Listener[] }>('GET', '/beta/identity/authenticationEventListeners')).value.filter((entry) => entry['@odata.type'] === LISTENER_TYPE);
  const listener = listeners.find((entry) => entry.handler.customExtension.id === options.customExtensionId);
  step.detail = `for ${wantedApps.join(', ')}; flag ${options.flagAttribute}`;
  const create = async () => (await write<Listener>(step, 'POST', '/beta/identity/authenticationEventListeners', body))?.id ?? '<listener id of the new object>';

  if (!listener) {
    const listenerId = await create();
    step.status = options.dryRun ? 'would create' : 'created';
    return { step, listenerId };
  }
  const path = `/beta/identity/authenticationEventListeners/${listener.id}`;
  if (listener.handler.migrationPropertyId !== options.flagAttribute) {
    await write(step, 'DELETE', path);
    changed();
    return { step, listenerId: await create() };
  }
  const present = new Set(listener.conditions.applications.includeApplications.map((entry) => entry.appId.toLowerCase()));
  for (const appId of wantedApps.filter((id) => !present.has(id))) {
    await write(step, 'POST', `${path}/conditions/applications/includeApplications`, { '@odata.type': APPLICATION_TYPE, appId });
    changed();
  }
  if (listener.conditions.applications.includeAllApplications) {
    await write(step, 'PATCH', path, { '@odata.type': LISTENER_TYPE, conditions: { applications: { includeAllApplications: false } } });
    changed();
  }
  for (const appId of [...present].filter((id) => !wantedApps.includes(id))) {
    await write(step, 'DELETE', `${path}/conditions/applications/includeApplications/${appId}`);
    changed();
  }
  return { step, listenerId: listener.id };
}
