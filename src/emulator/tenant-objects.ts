import { randomUUID } from 'node:crypto';
import { MICROSOFT_GRAPH_APP_ID, RECEIVE_PAYLOAD_ROLE_ID, USER_READ_WRITE_ALL_ROLE_ID } from '../graph/index.js';
import { PersistentMap } from './state/persistent-map.js';
import { openTenantStore, type TenantStore } from './state/tenant-store.js';

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
  /** `acceptMappedClaims`: true lets a claims mapping policy add claims to this application's tokens without a custom signing key. */
  api: { requestedAccessTokenVersion: number | null; acceptMappedClaims?: boolean | null };
  keyCredentials: KeyCredential[];
  tokenEncryptionKeyId: string | null;
  requiredResourceAccess: Array<{ resourceAppId: string; resourceAccess: Array<{ id: string; type: string }> }>;
}

export interface ServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  appRoles: Array<{ id: string; value: string; displayName: string; allowedMemberTypes: string[]; isEnabled: boolean }>;
  /** The claims mapping policies assigned to it (`…/servicePrincipals/{id}/claimsMappingPolicies`); Graph allows one. */
  claimsMappingPolicyIds?: string[];
}

/** A claims mapping policy (`/policies/claimsMappingPolicies`): `definition` holds one string, the policy's JSON. */
export interface ClaimsMappingPolicy {
  id: string;
  displayName: string;
  definition: string[];
  isOrganizationDefault: boolean;
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
  /** OnTokenIssuanceStart extensions only: the claims the API returns, by the name it returns them under. */
  claimsForTokenConfiguration?: Array<{ claimIdInApiResponse: string }>;
}

export interface AuthenticationEventListener {
  id: string;
  '@odata.type': string;
  priority: number;
  conditions: { applications: { includeAllApplications: boolean; includeApplications: Array<{ appId: string }> } };
  /**
   * `migrationPropertyId` on an onPasswordSubmitListener's handler only; `configuration.behaviorOnError` on an
   * onEmailOtpSendListener's (`#microsoft.graph.fallbackToMicrosoftProviderOnError` lets Entra send the code itself
   * when the extension fails).
   */
  handler: {
    '@odata.type': string;
    migrationPropertyId?: string;
    customExtension: { id: string };
    configuration?: { behaviorOnError?: { '@odata.type': string } };
  };
}

/** One input of a user flow's attribute collection page (Graph's `authenticationAttributeCollectionInputConfiguration`). */
export interface AttributeCollectionInput {
  attribute: string;
  label: string;
  inputType: string;
  hidden: boolean;
  editable: boolean;
  writeToDirectory: boolean;
  required: boolean;
  validationRegEx: string | null;
  options: Array<{ label: string; value: string }>;
}

/** A custom extension handler of an attribute collection event: `{ "@odata.type", customExtension: { id } }`. */
export interface AttributeCollectionHandler {
  '@odata.type': string;
  customExtension: { id: string };
}

/** A user flow attribute as a user flow lists it (Graph's `identityUserFlowAttribute`). */
export interface UserFlowAttribute {
  id: string;
  displayName: string;
  description: string | null;
  userFlowAttributeType: 'builtIn' | 'custom';
  dataType: string;
}

/** A self-service sign-up user flow (Graph's `externalUsersSelfServiceSignUpEventsFlow`), as validated on create or update. */
export interface AuthenticationEventsFlow {
  id: string;
  '@odata.type': '#microsoft.graph.externalUsersSelfServiceSignUpEventsFlow';
  displayName: string;
  description: string | null;
  priority: number;
  conditions: { applications: { includeApplications: Array<{ appId: string }> } };
  onInteractiveAuthFlowStart: { '@odata.type': string; isSignUpAllowed: boolean };
  onAuthenticationMethodLoadStart: { '@odata.type': string; identityProviders: Array<{ id: string }> };
  onAttributeCollection: null | {
    '@odata.type': string;
    attributes: UserFlowAttribute[];
    attributeCollectionPage: { views: Array<{ title: string | null; description: string | null; inputs: AttributeCollectionInput[] }> };
  };
  onAttributeCollectionStart: AttributeCollectionHandler | null;
  onAttributeCollectionSubmit: AttributeCollectionHandler | null;
}

/**
 * The tenant's configuration objects as Graph holds them — applications, service principals, extension properties,
 * app role grants, custom authentication extensions, event listeners and user flows — kept in the tenant store (so a restart on
 * the same directory file finds them again). A new tenant starts as a real External ID tenant does: with the
 * `b2c-extensions-app` and Microsoft Graph's service principal. A value changed in place is saved by `set`-ting it.
 */
export class TenantObjects {
  readonly applications: Map<string, Application>;
  readonly servicePrincipals: Map<string, ServicePrincipal>;
  readonly extensionProperties: Map<string, ExtensionProperty>;
  readonly appRoleAssignments: Map<string, AppRoleAssignment>;
  readonly customExtensions: Map<string, CustomAuthenticationExtension>;
  readonly listeners: Map<string, AuthenticationEventListener>;
  /** Sign-up user flows (`identity/authenticationEventsFlows`). */
  readonly userFlows: Map<string, AuthenticationEventsFlow>;
  /** `policies/claimsMappingPolicies`: how claims from a custom claims provider reach an application's tokens. */
  readonly claimsMappingPolicies: Map<string, ClaimsMappingPolicy>;

  /** `store` defaults to one in memory. */
  constructor(store: TenantStore = openTenantStore(':memory:')) {
    this.applications = new PersistentMap(store, 'application');
    this.servicePrincipals = new PersistentMap(store, 'service-principal');
    this.extensionProperties = new PersistentMap(store, 'extension-property');
    this.appRoleAssignments = new PersistentMap(store, 'app-role-assignment');
    this.customExtensions = new PersistentMap(store, 'custom-extension');
    this.listeners = new PersistentMap(store, 'listener');
    this.userFlows = new PersistentMap(store, 'user-flow');
    this.claimsMappingPolicies = new PersistentMap(store, 'claims-mapping-policy');
    if (![...this.applications.values()].some((application) => application.displayName === B2C_EXTENSIONS_APP_NAME)) this.addApplication(B2C_EXTENSIONS_APP_NAME);
    if (!this.servicePrincipalByAppId(MICROSOFT_GRAPH_APP_ID)) {
      this.addServicePrincipal(MICROSOFT_GRAPH_APP_ID, 'Microsoft Graph', [
        { id: RECEIVE_PAYLOAD_ROLE_ID, value: 'CustomAuthenticationExtension.Receive.Payload', displayName: 'Receive custom authentication extension HTTP requests', allowedMemberTypes: ['Application'], isEnabled: true },
        { id: USER_READ_WRITE_ALL_ROLE_ID, value: 'User.ReadWrite.All', displayName: 'Read and write all users\' full profiles', allowedMemberTypes: ['Application'], isEnabled: true },
      ]);
    }
  }

  /** The application that owns the tenant's directory extension properties. */
  get b2cExtensionsApp(): Application {
    return [...this.applications.values()].find((application) => application.displayName === B2C_EXTENSIONS_APP_NAME)!;
  }

  get graphServicePrincipal(): ServicePrincipal {
    return this.servicePrincipalByAppId(MICROSOFT_GRAPH_APP_ID)!;
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

  /**
   * Defines a directory extension property for users on the b2c-extensions-app, as `setup` does through Graph, unless
   * it exists; returns its attribute name, `extension_<appIdNoHyphens>_<name>`.
   *
   * @example
   *   const flag = objects.defineUserExtensionProperty('toBeMigrated', 'Boolean');
   */
  defineUserExtensionProperty(name: string, dataType = 'Boolean'): string {
    const owner = this.b2cExtensionsApp;
    const existing = [...this.extensionProperties.values()].find((property) => property.ownerId === owner.id && property.name === name);
    const property = existing ?? { id: randomUUID(), ownerId: owner.id, name, dataType, targetObjects: ['User'] };
    if (!existing) this.extensionProperties.set(property.id, property);
    return this.extensionAttributeName(property);
  }

  /** The extension properties users may carry, by attribute name in lower case (Graph matches names case-insensitively). */
  userExtensionProperties(): Map<string, { attributeName: string; property: ExtensionProperty }> {
    const properties = [...this.extensionProperties.values()].filter((property) => property.targetObjects.includes('User'));
    return new Map(properties.map((property) => [this.extensionAttributeName(property).toLowerCase(), { attributeName: this.extensionAttributeName(property), property }]));
  }

  hasRole(principalId: string, resourceId: string, appRoleId: string): boolean {
    return [...this.appRoleAssignments.values()].some((grant) => grant.principalId === principalId && grant.resourceId === resourceId && grant.appRoleId === appRoleId);
  }
}
