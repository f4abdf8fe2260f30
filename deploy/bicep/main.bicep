// entra-migrate in Azure: the password-migration extension (OnPasswordSubmit and the other events) hosted as a
// Container App or a Function App, its decryption key in Key Vault (never exported: the content key is unwrapped
// in the vault), a managed identity that may only unwrap with that one key, the ledger in Azure Database for
// PostgreSQL, and Application Insights. `azd up` deploys it (azure.yaml at the repository root); so does
// `az deployment group create -g <group> -f deploy/bicep/main.bicep -p entraTenantId=… ledgerAdministratorPassword=…`.
//
// Deploy twice: the first deployment gives the target URL (output PASSWORD_SUBMIT_URL) for `entra-migrate setup`,
// which creates the extension's app registration; the second passes its app id (extensionAppId) and identifier URI
// (extensionResourceId), and only then does the extension run: until the app id is set (and, in a Container App,
// until azd has deployed the image) no replica or instance is kept running, since `serve` without the app id stops at
// start-up (exit 2, by design) and a revision whose replicas cannot start fails the deployment.
targetScope = 'resourceGroup'

@description('Where the extension runs: a Container App (the image of the repository\'s Dockerfile) or a Function App (Flex Consumption, the Functions adapter).')
@allowed([
  'containerapp'
  'functions'
])
param hosting string = 'containerapp'

@description('Name of the azd environment (or any short name): resource names are derived from it.')
@minLength(1)
@maxLength(40)
param environmentName string

@description('Azure region of every resource.')
param location string = resourceGroup().location

@description('The External ID tenant\'s directory id (GUID): ENTRA_TENANT_ID. Not the Azure subscription\'s tenant, which is usually another one.')
param entraTenantId string

@description('Application (client) id of the extension\'s app registration (ENTRA_EXTENSION_APP_ID), which `entra-migrate setup` prints. Empty on the first deployment: the extension then runs no replica.')
param extensionAppId string = ''

@description('The extension\'s identifier URI api://{host}/{appId} (ENTRA_EXTENSION_RESOURCE_ID), which `entra-migrate setup` prints; empty to accept only the host the request was sent to.')
param extensionResourceId string = ''

@description('Container image of entra-migrate (the repository\'s Dockerfile) for hosting=containerapp; azd sets it after `azd deploy`. Empty: a placeholder until the first `azd deploy`.')
param image string = ''

@description('Name of the RSA decryption key in the vault.')
@minLength(1)
@maxLength(127)
param decryptionKeyName string = 'jit-decryption'

@description('true: the template creates the decryption key (RSA 2048, not exportable). false: the key already exists in the vault under decryptionKeyName, e.g. the key of a Key Vault certificate made with `az keyvault certificate create` (docs/deploying.md).')
param createDecryptionKey bool = true

@description('Key Vault pricing tier: premium keeps the key in an HSM (RSA-HSM), standard in software.')
@allowed([
  'standard'
  'premium'
])
param keyVaultSku string = 'standard'

@description('Administrator login of the PostgreSQL server; the ledger connects as it.')
@minLength(1)
@maxLength(63)
param ledgerAdministratorLogin string = 'ledgeradmin'

@description('Password of the PostgreSQL administrator (8 to 128 characters, three of: upper case, lower case, digit, symbol). Kept in the app\'s secrets, never in an output.')
@secure()
@minLength(8)
@maxLength(128)
param ledgerAdministratorPassword string

@description('PostgreSQL compute size; Standard_B1ms (burstable) is enough for the ledger of about 50 sign-ins a second.')
param ledgerSkuName string = 'Standard_B1ms'

@description('PostgreSQL compute tier, matching ledgerSkuName.')
@allowed([
  'Burstable'
  'GeneralPurpose'
  'MemoryOptimized'
])
param ledgerSkuTier string = 'Burstable'

@description('serve\'s other settings as a JSON object, name → value, kept as secrets: at least the legacy store, exactly one of LEGACY_DATABASE_URL, LEGACY_VERIFY_URL, LEGACY_LDAP_URL, LEGACY_ROPC_TOKEN_URL with the settings it needs (docs/settings.md), e.g. {"LEGACY_DATABASE_URL": "postgres://…", "LEGACY_USER_QUERY": "SELECT …"}.')
@secure()
param serveSettings object

@description('LOG_LEVEL of serve: fatal, error, warn, info, debug, trace or silent.')
@allowed([
  'fatal'
  'error'
  'warn'
  'info'
  'debug'
  'trace'
  'silent'
])
param logLevel string = 'info'

@description('Replicas (Container App) or always-ready instances (Function App) kept running once the extension app id is set: at least 1, since a cold start does not fit in Entra\'s 2-second budget.')
@minValue(1)
@maxValue(10)
param minReplicas int = 1

@description('Most replicas or instances. One replica of 1 CPU answers about 15 bcrypt-cost-10 sign-ins a second; Entra sends at most 50 a second per tenant.')
@minValue(1)
@maxValue(100)
param maxReplicas int = 5

@description('Tags on every resource.')
param tags object = {}

/** Short, stable, unique per resource group: keeps globally unique names (vault, registry, storage, server) free. */
var suffix = take(uniqueString(subscription().id, resourceGroup().id, environmentName), 8)
var allTags = union(tags, { 'azd-env-name': environmentName })

/** The port serve listens on in the container (its default, and Azure Functions' local one). */
var containerPort = 7071
var ledgerDatabaseName = 'ledger'

/**
 * The identity serve signs in with (DefaultAzureCredential, named by AZURE_CLIENT_ID): its only permission is to
 * unwrap with the decryption key (modules/key-vault.bicep). Nothing else is granted to it.
 */
resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-entra-migrate-${suffix}'
  location: location
  tags: allTags
}

/**
 * The platform's own identity: pulls the image (Container App) or reads the host's storage (Function App). Kept
 * apart so the identity serve's code holds cannot read storage or images.
 */
resource platformIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-entra-migrate-platform-${suffix}'
  location: location
  tags: allTags
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    tags: allTags
    logAnalyticsName: 'log-entra-migrate-${suffix}'
    applicationInsightsName: 'appi-entra-migrate-${suffix}'
  }
}

module keyVault 'modules/key-vault.bicep' = {
  name: 'key-vault'
  params: {
    location: location
    tags: allTags
    keyVaultName: 'kv-em-${suffix}'
    sku: keyVaultSku
    keyName: decryptionKeyName
    createKey: createDecryptionKey
    unwrapPrincipalId: appIdentity.properties.principalId
  }
}

module ledger 'modules/ledger-database.bicep' = {
  name: 'ledger-database'
  params: {
    location: location
    tags: allTags
    serverName: 'psql-entra-migrate-${suffix}'
    databaseName: ledgerDatabaseName
    administratorLogin: ledgerAdministratorLogin
    administratorPassword: ledgerAdministratorPassword
    skuName: ledgerSkuName
    skuTier: ledgerSkuTier
  }
}

/** Settings that are not secret, by serve's environment variable names (docs/settings.md); a blank one is left out. */
var alwaysSet = {
  ENTRA_TENANT_ID: entraTenantId
  JIT_DECRYPTION_KEY_VAULT_KEY_ID: keyVault.outputs.keyIdWithVersion
  AZURE_CLIENT_ID: appIdentity.properties.clientId
  LOG_LEVEL: logLevel
}
var plainSettings = union(alwaysSet, empty(extensionAppId) ? {} : { ENTRA_EXTENSION_APP_ID: extensionAppId }, empty(extensionResourceId) ? {} : { ENTRA_EXTENSION_RESOURCE_ID: extensionResourceId })

/** Password authentication over TLS with the server's certificate checked (pg's verify-full). */
var ledgerDatabaseUrl = 'postgres://${uriComponent(ledgerAdministratorLogin)}:${uriComponent(ledgerAdministratorPassword)}@${ledger.outputs.fullyQualifiedDomainName}:5432/${ledgerDatabaseName}?sslmode=verify-full'

module containerApp 'modules/container-app.bicep' = if (hosting == 'containerapp') {
  name: 'container-app'
  params: {
    location: location
    tags: allTags
    suffix: suffix
    image: image
    containerPort: containerPort
    appIdentityId: appIdentity.id
    platformIdentityId: platformIdentity.id
    platformIdentityPrincipalId: platformIdentity.properties.principalId
    logAnalyticsName: monitoring.outputs.logAnalyticsName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    settings: union(plainSettings, { PORT: string(containerPort) })
    secretSettings: union(serveSettings, { LEDGER_DATABASE_URL: ledgerDatabaseUrl })
    minReplicas: empty(extensionAppId) || empty(image) ? 0 : minReplicas
    maxReplicas: maxReplicas
  }
}

module functionApp 'modules/function-app.bicep' = if (hosting == 'functions') {
  name: 'function-app'
  params: {
    location: location
    tags: allTags
    suffix: suffix
    appIdentityId: appIdentity.id
    platformIdentityId: platformIdentity.id
    platformIdentityClientId: platformIdentity.properties.clientId
    platformIdentityPrincipalId: platformIdentity.properties.principalId
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    settings: plainSettings
    secretSettings: union(serveSettings, { LEDGER_DATABASE_URL: ledgerDatabaseUrl })
    alwaysReadyInstances: empty(extensionAppId) ? 0 : minReplicas
    maximumInstanceCount: maxReplicas
  }
}

var hostName = hosting == 'containerapp' ? containerApp!.outputs.hostName : functionApp!.outputs.hostName

@description('The OnPasswordSubmit endpoint: give it to `entra-migrate setup --target-url`.')
output PASSWORD_SUBMIT_URL string = 'https://${hostName}/events/password-submit'

@description('The extension\'s base URL; /healthz and /readyz answer under it.')
output SERVICE_EXTENSION_URI string = 'https://${hostName}'

@description('The vault that holds the decryption key.')
output AZURE_KEY_VAULT_ENDPOINT string = keyVault.outputs.vaultUri

@description('The key serve unwraps with (JIT_DECRYPTION_KEY_VAULT_KEY_ID), a key id: not secret.')
output JIT_DECRYPTION_KEY_VAULT_KEY_ID string = keyVault.outputs.keyIdWithVersion

@description('Client id of the managed identity serve signs in with (AZURE_CLIENT_ID).')
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = appIdentity.properties.clientId

@description('Host name of the ledger\'s PostgreSQL server.')
output LEDGER_SERVER_FQDN string = ledger.outputs.fullyQualifiedDomainName

@description('The registry azd pushes the image to (hosting=containerapp; empty otherwise).')
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = hosting == 'containerapp' ? containerApp!.outputs.registryLoginServer : ''

@description('Name of the Function App, for `func azure functionapp publish` (hosting=functions; empty otherwise).')
output FUNCTION_APP_NAME string = hosting == 'functions' ? functionApp!.outputs.name : ''
