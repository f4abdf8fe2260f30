// The vault and the RSA key Entra encrypts passwords to. The key is not exportable: serve never holds the private
// key, it asks the vault to unwrap each JWE's content key (src/app/key-vault-key.ts, CryptographyClient.unwrapKey,
// RSA-OAEP). The identity serve runs as gets a custom role with that single data action, assigned on this one key:
// the built-in "Key Vault Crypto User" would also let it sign, encrypt, decrypt, wrap, read and list every key.

@description('Azure region.')
param location string

@description('Tags on every resource.')
param tags object

@description('Name of the vault, 3 to 24 characters, globally unique.')
@minLength(3)
@maxLength(24)
param keyVaultName string

@description('standard (software keys) or premium (HSM-protected keys).')
@allowed([
  'standard'
  'premium'
])
param sku string

@description('Name of the decryption key.')
param keyName string

@description('true: create the key here; false: it already exists (for instance a Key Vault certificate\'s key).')
param createKey bool

@description('Principal (object) id of the managed identity that may unwrap with the key.')
param unwrapPrincipalId string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: keyVaultName
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: sku
    }
    // Azure RBAC, not access policies: access policies cannot grant less than every key operation they name, on
    // every key of the vault.
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // A deleted key cannot be purged before its retention ends: passwords in flight can still be decrypted after
    // an accidental deletion is undone.
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource createdKey 'Microsoft.KeyVault/vaults/keys@2023-07-01' = if (createKey) {
  parent: vault
  name: keyName
  properties: {
    kty: sku == 'premium' ? 'RSA-HSM' : 'RSA'
    // Entra encrypts with RSA-OAEP to the certificate on the app registration; 2048 is the floor serve accepts
    // (NIST SP 800-131A) and unwrapping with 4096 costs about 7 times more.
    keySize: 2048
    // The only operation the key allows, whoever asks.
    keyOps: [
      'unwrapKey'
    ]
    attributes: {
      enabled: true
      exportable: false
    }
  }
}

resource existingKey 'Microsoft.KeyVault/vaults/keys@2023-07-01' existing = if (!createKey) {
  parent: vault
  name: keyName
}

/**
 * Only Microsoft.KeyVault/vaults/keys/unwrap/action. Without keys/read the client's first call is refused a
 * GET of the key (403) and goes on with remote operations only, as @azure/keyvault-keys does by design: one extra
 * round trip, once per process.
 */
resource unwrapRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'entra-migrate', 'key-unwrap')
  properties: {
    roleName: 'entra-migrate key unwrap (${resourceGroup().name}, ${take(uniqueString(resourceGroup().id), 6)})'
    description: 'Unwrap a content key with a Key Vault key; nothing else. Assigned to entra-migrate serve\'s managed identity on its decryption key.'
    type: 'CustomRole'
    permissions: [
      {
        actions: []
        notActions: []
        dataActions: [
          'Microsoft.KeyVault/vaults/keys/unwrap/action'
        ]
        notDataActions: []
      }
    ]
    assignableScopes: [
      resourceGroup().id
    ]
  }
}

resource unwrapAssignmentOnCreatedKey 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (createKey) {
  name: guid(vault.id, keyName, unwrapPrincipalId, unwrapRole.id)
  scope: createdKey
  properties: {
    roleDefinitionId: unwrapRole.id
    principalId: unwrapPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource unwrapAssignmentOnExistingKey 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!createKey) {
  name: guid(vault.id, keyName, unwrapPrincipalId, unwrapRole.id)
  scope: existingKey
  properties: {
    roleDefinitionId: unwrapRole.id
    principalId: unwrapPrincipalId
    principalType: 'ServicePrincipal'
  }
}

@description('The vault\'s URI, https://<name>.vault.azure.net/.')
output vaultUri string = vault.properties.vaultUri

@description('The key id with its version: serve unwraps with exactly the key whose certificate is on the app registration.')
output keyIdWithVersion string = createKey ? createdKey!.properties.keyUriWithVersion : existingKey!.properties.keyUriWithVersion
