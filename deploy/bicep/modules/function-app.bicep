// hosting=functions: a Function App on the Flex Consumption plan (Linux, Node 20) running the repository's Azure
// Functions adapter, its deployment package and host state in a storage account reached with the platform
// identity (no shared keys), and always-ready instances so no callout waits for a cold start.

@description('Azure region.')
param location string

@description('Tags on every resource.')
param tags object

@description('Suffix that makes names unique.')
param suffix string

@description('Resource id of the identity serve signs in with (AZURE_CLIENT_ID names it).')
param appIdentityId string

@description('Resource id of the identity the Functions host uses for its storage.')
param platformIdentityId string

@description('Client id of the identity the Functions host uses for its storage.')
param platformIdentityClientId string

@description('Principal (object) id of the identity the Functions host uses for its storage.')
param platformIdentityPrincipalId string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('serve settings that are not secret, name → value.')
param settings object

@description('serve settings that are secret, name → value (app settings are encrypted at rest and readable only with config/list).')
@secure()
param secretSettings object

@description('Always-ready instances for the HTTP functions (0 while the extension app id is not yet set).')
param alwaysReadyInstances int

@description('Most instances.')
@minValue(1)
param maximumInstanceCount int

/** Storage Blob Data Owner (built-in): what the Functions host needs on AzureWebJobsStorage for HTTP triggers. */
var blobDataOwnerRoleId = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
var deploymentContainerName = 'deployments'

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: 'stentramigrate${suffix}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource blobDataOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, platformIdentityId, blobDataOwnerRoleId)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', blobDataOwnerRoleId)
    principalId: platformIdentityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-entra-migrate-${suffix}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

/** Host settings: storage through the platform identity, and telemetry. FUNCTIONS_WORKER_RUNTIME is not set: Flex takes the runtime from functionAppConfig. */
var hostSettings = {
  AzureWebJobsStorage__accountName: storage.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: platformIdentityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
  // A settings error stops the app with the message naming the setting, not an app left running with no functions.
  FUNCTIONS_NODE_BLOCK_ON_ENTRY_POINT_ERROR: 'true'
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: 'func-entra-migrate-${suffix}'
  location: location
  tags: union(tags, { 'azd-service-name': 'extension' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${appIdentityId}': {}
      '${platformIdentityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: platformIdentityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: 2048
        alwaysReady: alwaysReadyInstances > 0 ? [
          {
            name: 'http'
            instanceCount: alwaysReadyInstances
          }
        ] : []
      }
      runtime: {
        name: 'node'
        version: '20'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: map(items(union(settings, secretSettings, hostSettings)), setting => { name: setting.key, value: setting.value })
    }
  }
  dependsOn: [
    blobDataOwner
    deploymentContainer
  ]
}

@description('The Function App\'s public host name.')
output hostName string = site.properties.defaultHostName

@description('The Function App\'s name, for `func azure functionapp publish`.')
output name string = site.name
