// Azure Database for PostgreSQL flexible server for the ledger (LEDGER_DATABASE_URL). Password authentication: the
// ledger opens a pg pool from one URL, and a Microsoft Entra token used as a password expires after about an hour,
// with nothing in the ledger to fetch a new one; the password lives only in the app's secrets. TLS is required by
// the server (require_secure_transport, on by default) and the URL asks pg to check its certificate (verify-full).

@description('Azure region.')
param location string

@description('Tags on every resource.')
param tags object

@description('Name of the server, globally unique (3 to 63 lower-case letters, digits and hyphens).')
@minLength(3)
@maxLength(63)
param serverName string

@description('Name of the ledger\'s database.')
param databaseName string

@description('Administrator login (not azure_superuser, admin, administrator, root, guest, public, nor pg_…).')
param administratorLogin string

@description('Administrator password.')
@secure()
param administratorPassword string

@description('Compute size, e.g. Standard_B1ms.')
param skuName string

@description('Compute tier: Burstable, GeneralPurpose or MemoryOptimized.')
param skuTier string

@description('Storage in GiB; 32 holds years of ledger rows (about 300 bytes a decision).')
param storageSizeGB int = 32

resource server 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' = {
  name: serverName
  location: location
  tags: tags
  sku: {
    name: skuName
    tier: skuTier
  }
  properties: {
    version: '16'
    administratorLogin: administratorLogin
    administratorLoginPassword: administratorPassword
    authConfig: {
      activeDirectoryAuth: 'Disabled'
      passwordAuth: 'Enabled'
    }
    storage: {
      storageSizeGB: storageSizeGB
      autoGrow: 'Enabled'
    }
    backup: {
      backupRetentionDays: 7
      geoRedundantBackup: 'Disabled'
    }
    highAvailability: {
      mode: 'Disabled'
    }
    network: {
      publicNetworkAccess: 'Enabled'
    }
  }
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2024-08-01' = {
  parent: server
  name: databaseName
  properties: {
    charset: 'UTF8'
    collation: 'en_US.utf8'
  }
}

/**
 * 0.0.0.0–0.0.0.0 is Azure's rule for "Azure services": Container Apps and Flex Consumption have no fixed outbound
 * address without a virtual network. Put the server in a virtual network for anything beyond this template.
 */
resource allowAzureServices 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = {
  parent: server
  name: 'AllowAllAzureServicesAndResourcesWithinAzureIps'
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
}

@description('The server\'s host name.')
output fullyQualifiedDomainName string = server.properties.fullyQualifiedDomainName

@description('The ledger database\'s name.')
output databaseName string = database.name
