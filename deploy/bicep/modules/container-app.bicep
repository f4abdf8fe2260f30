// hosting=containerapp: a registry for the image azd builds from the repository's Dockerfile, a Container Apps
// environment logging to Log Analytics, and the app itself running `entra-migrate serve` on port 7071 behind HTTPS
// ingress, probed on /healthz (alive) and /readyz (can answer Entra now).

@description('Azure region.')
param location string

@description('Tags on every resource.')
param tags object

@description('Suffix that makes names unique.')
param suffix string

@description('The entra-migrate image; empty: a public placeholder until the first `azd deploy` (main.bicep then runs no replica).')
param image string

@description('Port serve listens on (PORT).')
param containerPort int

@description('Resource id of the identity serve signs in with (AZURE_CLIENT_ID names it).')
param appIdentityId string

@description('Resource id of the identity that pulls the image.')
param platformIdentityId string

@description('Principal (object) id of the identity that pulls the image.')
param platformIdentityPrincipalId string

@description('Name of the Log Analytics workspace for the environment\'s logs.')
param logAnalyticsName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('serve settings that are not secret, name → value.')
param settings object

@description('serve settings kept as Container Apps secrets, name → value.')
@secure()
param secretSettings object

@description('Replicas always running (0 until main.bicep has both the extension app id and the image).')
param minReplicas int

@description('Most replicas.')
param maxReplicas int

/** Until azd has built the real image, a public sample; it never runs, since main.bicep asks for no replica then. */
var placeholderImage = 'mcr.microsoft.com/k8se/quickstart:latest'
/** AcrPull (built-in): read images, nothing else. */
var acrPullRoleId = '7f951dda-4ed3-4680-a7ca-43fe172d538d'

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: logAnalyticsName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: 'crentramigrate${suffix}'
  location: location
  tags: tags
  sku: {
    name: 'Basic'
  }
  properties: {
    adminUserEnabled: false
    anonymousPullEnabled: false
  }
}

resource acrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, platformIdentityId, acrPullRoleId)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPullRoleId)
    principalId: platformIdentityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource environment 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: 'cae-entra-migrate-${suffix}'
  location: location
  tags: tags
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: logAnalytics.properties.customerId
        sharedKey: logAnalytics.listKeys().primarySharedKey
      }
    }
  }
}

/** Every secret, the Application Insights connection string among them; a secret's name is its setting's in kebab case. */
var allSecrets = union(secretSettings, { APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString })

/**
 * A setting given both ways (the operator's serveSettings repeating one of the template's) is taken once, from the
 * secrets: Container Apps refuses a name twice.
 */
var plainEnv = map(filter(items(settings), setting => !contains(allSecrets, setting.key)), setting => { name: setting.key, value: setting.value })
var secretEnv = map(items(allSecrets), secret => { name: secret.key, secretRef: toLower(replace(secret.key, '_', '-')) })

resource app 'Microsoft.App/containerApps@2024-03-01' = {
  name: 'ca-entra-migrate-${suffix}'
  location: location
  tags: union(tags, { 'azd-service-name': 'extension' })
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${appIdentityId}': {}
      '${platformIdentityId}': {}
    }
  }
  properties: {
    managedEnvironmentId: environment.id
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: {
        external: true
        targetPort: containerPort
        transport: 'http'
        allowInsecure: false
      }
      registries: [
        {
          server: registry.properties.loginServer
          identity: platformIdentityId
        }
      ]
      secrets: [for secret in items(allSecrets): {
        name: toLower(replace(secret.key, '_', '-'))
        value: secret.value
      }]
    }
    template: {
      containers: [
        {
          name: 'extension'
          image: empty(image) ? placeholderImage : image
          // One core: password hashes run one per core; scale out, not up (docs/deploying.md, capacity).
          resources: {
            cpu: json('1.0')
            memory: '2Gi'
          }
          env: concat(plainEnv, secretEnv)
          probes: [
            {
              type: 'Liveness'
              httpGet: {
                path: '/healthz'
                port: containerPort
              }
              periodSeconds: 10
              failureThreshold: 3
            }
            {
              type: 'Readiness'
              httpGet: {
                path: '/readyz'
                port: containerPort
              }
              periodSeconds: 5
              failureThreshold: 2
            }
          ]
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
        rules: [
          {
            name: 'concurrent-callouts'
            http: {
              metadata: {
                // Entra sends at most 50 calls a second per tenant; at 0.1–0.4 s each that is 5–20 in flight in all,
                // so a second replica starts only when the first is really busy (or slow legacy checks pile up).
                concurrentRequests: '20'
              }
            }
          }
        ]
      }
    }
  }
  dependsOn: [
    acrPull
  ]
}

@description('The app\'s public host name.')
output hostName string = app.properties.configuration.ingress.fqdn

@description('The registry\'s login server, for azd.')
output registryLoginServer string = registry.properties.loginServer
