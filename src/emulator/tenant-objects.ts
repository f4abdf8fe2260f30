import { randomUUID } from 'node:crypto';
import { MICROSOFT_GRAPH_APP_ID, RECEIVE_PAYLOAD_ROLE_ID, USER_READ_WRITE_ALL_ROLE_ID } from '../graph/index.js';

/** The display name External ID gives the application that owns the tenant's directory extension properties. */
export const B2C_EXTENSIONS_APP_NAME = 'b2c-extensions-app. Do not modify. Used by AADB2C for storing user data.';

export interface KeyCredential {
  keyId: string;
  type: string;
  usage: string;
  key: string | null;
  customKeyIdentifier: string | null;
  displayName: string | null;
  startDateTime: string;
  endDateTime: string;
}

export interface Application {
  id: string;
  appId: string;
  displayName: string;
  identifierUris: string[];
  api: { requestedAccessTokenVersion: number | null };
  keyCredentials: KeyCredential[];
  tokenEncryptionKeyId: string | null;
  requiredResourceAccess: Array<{ resourceAppId: string; resourceAccess: Array<{ id: string; type: string }> }>;
}

export interface ServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  appRoles: Array<{ id: string; value: string; displayName: string; allowedMemberTypes: string[]; isEnabled: boolean }>;
}

export interface ExtensionProperty {
  id: string;
  /** The application it belongs to (object id). */
  ownerId: string;
  name: string;
  dataType: string;
  targetObjects: string[];
}

export interface AppRoleAssignment {
  id: string;
  principalId: string;
  resourceId: string;
  appRoleId: string;
  createdDateTime: string;
}

export interface CustomAuthenticationExtension {
  id: string;
  '@odata.type': string;
  displayName: string;
  description: string | null;
  endpointConfiguration: { '@odata.type': string; targetUrl: string };
  authenticationConfiguration: { '@odata.type': string; resourceId: string };
  clientConfiguration: { timeoutInMilliseconds: number; maximumRetries: number };
}

export interface AuthenticationEventListener {
  id: string;
  '@odata.type': string;
  priority: number;
  conditions: { applications: { includeAllApplications: boolean; includeApplications: Array<{ appId: string }> } };
  handler: { '@odata.type': string; migrationPropertyId: string; customExtension: { id: string } };
}

/**
 * The tenant's configuration objects as Graph holds them — applications, service principals, extension properties,
 * app role grants, custom authentication extensions and event listeners — in memory. A new tenant starts as a real
 * External ID tenant does: with the `b2c-extensions-app` and Microsoft Graph's service principal.
 */
export class TenantObjects {
  readonly applications = new Map<string, Application>();
  readonly servicePrincipals = new Map<string, ServicePrincipal>();
  readonly extensionProperties = new Map<string, ExtensionProperty>();
  readonly appRoleAssignments = new Map<string, AppRoleAssignment>();
  readonly customExtensions = new Map<string, CustomAuthenticationExtension>();
  readonly listeners = new Map<string, AuthenticationEventListener>();
  readonly b2cExtensionsApp: Application;
  readonly graphServicePrincipal: ServicePrincipal;

  constructor() {
    this.b2cExtensionsApp = this.addApplication(B2C_EXTENSIONS_APP_NAME);
    this.graphServicePrincipal = this.addServicePrincipal(MICROSOFT_GRAPH_APP_ID, 'Microsoft Graph', [
      { id: RECEIVE_PAYLOAD_ROLE_ID, value: 'CustomAuthenticationExtension.Receive.Payload', displayName: 'Receive custom authentication extension HTTP requests', allowedMemberTypes: ['Application'], isEnabled: true },
      { id: USER_READ_WRITE_ALL_ROLE_ID, value: 'User.ReadWrite.All', displayName: 'Read and write all users\' full profiles', allowedMemberTypes: ['Application'], isEnabled: true },
    ]);
  }

  addApplication(displayName: string): Application {
    const application: Application = { id: randomUUID(), appId: randomUUID(), displayName, identifierUris: [], api: { requestedAccessTokenVersion: null }, keyCredentials: [], tokenEncryptionKeyId: null, requiredResourceAccess: [] };
    this.applications.set(application.id, application);
    return application;
  }

  addServicePrincipal(appId: string, displayName: string, appRoles: ServicePrincipal['appRoles'] = []): ServicePrincipal {
    const servicePrincipal: ServicePrincipal = { id: randomUUID(), appId, displayName, appRoles };
    this.servicePrincipals.set(servicePrincipal.id, servicePrincipal);
    return servicePrincipal;
  }

  applicationByAppId(appId: string): Application | undefined {
    return [...this.applications.values()].find((application) => application.appId.toLowerCase() === appId.toLowerCase());
  }

  servicePrincipalByAppId(appId: string): ServicePrincipal | undefined {
    return [...this.servicePrincipals.values()].find((principal) => principal.appId.toLowerCase() === appId.toLowerCase());
  }

  /** The extension attribute names of the tenant, `extension_<appIdNoHyphens>_<name>`. */
  extensionAttributeName(property: ExtensionProperty): string {
    const owner = this.applications.get(property.ownerId);
    return `extension_${(owner?.appId ?? '').replace(/-/g, '')}_${property.name}`;
  }

  hasRole(principalId: string, resourceId: string, appRoleId: string): boolean {
    return [...this.appRoleAssignments.values()].some((grant) => grant.principalId === principalId && grant.resourceId === resourceId && grant.appRoleId === appRoleId);
  }
}
