// Key Vault (RBAC authorization) dedicated to pseudonymisation keys: secret
// pseudonymisation-key-{keyId}, base64 of >= 32 random bytes. The app reads secrets; nobody
// reads them through access policies (there are none).
param name string
param location string
param tags object = {}

@description('Key id of the initial pseudonymisation key; the secret is pseudonymisation-key-{keyId}.')
param pseudonymisationKeyId string

@secure()
@description('base64 of at least 32 random bytes (openssl rand -base64 32). Never commit it.')
param pseudonymisationKey string

@description('Principal (the function app identity) given Key Vault Secrets User on this vault.')
param secretReaderPrincipalId string

var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource pseudonymisationSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: vault
  name: 'pseudonymisation-key-${pseudonymisationKeyId}'
  properties: {
    value: pseudonymisationKey
    contentType: 'base64 HMAC-SHA256 key'
    attributes: {
      enabled: true
    }
  }
}

// Vault scope: the app must read every pseudonymisation-key-* secret (a key per share) and the
// vault holds nothing else.
resource appSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, secretReaderPrincipalId, keyVaultSecretsUserRoleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: secretReaderPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output name string = vault.name
output id string = vault.id
output uri string = vault.properties.vaultUri
output secretName string = pseudonymisationSecret.name
