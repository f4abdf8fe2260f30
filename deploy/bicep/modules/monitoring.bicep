// Log Analytics (the Container Apps environment's logs, Application Insights' store) and Application Insights, which
// serve reaches through APPLICATIONINSIGHTS_CONNECTION_STRING. Outputs names only: the app modules read the
// connection string from the resource itself, so it never travels as a deployment output.

@description('Azure region.')
param location string

@description('Tags on every resource.')
param tags object

@description('Name of the Log Analytics workspace.')
param logAnalyticsName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('Days logs are kept: 30 is the retention included in the ingestion price.')
@minValue(30)
@maxValue(730)
param retentionInDays int = 30

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
  }
}

@description('Name of the Log Analytics workspace.')
output logAnalyticsName string = logAnalytics.name

@description('Name of the Application Insights component.')
output applicationInsightsName string = applicationInsights.name
