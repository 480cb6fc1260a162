// DataFirst.Serverless in Azure: data + runtime storage, Flex Consumption function app with a
// system-assigned identity, least-privilege data roles, Key Vault (RBAC) for pseudonymisation
// keys, a read-only SRS transfer identity, Log Analytics + Application Insights, and the Event
// Grid subscription of the blob trigger. Deploy: docs/functions.md.
targetScope = 'resourceGroup'

@minLength(2)
@maxLength(10)
@description('Environment name (dev, test, prod): part of every resource name.')
param environmentName string

param location string = resourceGroup().location

@minValue(1)
@description('Days working/ intermediates are kept after their last change.')
param workingRetentionDays int = 14

@minValue(1)
@description('Days quarantine/ rejected rows are kept after their last change.')
param quarantineRetentionDays int = 30

@minValue(1)
@description('Days each blob published to srs-transfer is immutable (WORM).')
param srsImmutabilityDays int = 365

@allowed(['Standard_LRS', 'Standard_ZRS', 'Standard_GZRS'])
param dataStorageSku string = 'Standard_ZRS'

@description('Key id of the initial pseudonymisation key (secret pseudonymisation-key-{keyId}).')
param pseudonymisationKeyId string = 'default'

@secure()
@description('base64 of at least 32 random bytes; pass it from the environment, never commit it.')
param pseudonymisationKey string

@allowed([2048, 4096])
param instanceMemoryMB int = 2048

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Create the Event Grid subscription of the blob trigger: set true once the code is published.')
param deployEventSubscription bool = false

param tags object = {}

var token = take(uniqueString(subscription().id, resourceGroup().id, environmentName), 8)
var env = toLower(replace(environmentName, '-', ''))
var allTags = union(tags, { application: 'datafirst-serverless', environment: environmentName })
var functionAppName = 'func-datafirst-${env}-${token}'

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: 'log-datafirst-${env}-${token}'
    applicationInsightsName: 'appi-datafirst-${env}-${token}'
    location: location
    tags: allTags
  }
}

module dataStorage 'modules/storage.bicep' = {
  name: 'data-storage'
  params: {
    name: take('stdfdata${env}${token}', 24)
    location: location
    tags: allTags
    skuName: dataStorageSku
    workingRetentionDays: workingRetentionDays
    quarantineRetentionDays: quarantineRetentionDays
    srsImmutabilityDays: srsImmutabilityDays
  }
}

module hostStorage 'modules/host-storage.bicep' = {
  name: 'host-storage'
  params: {
    name: take('stdfhost${env}${token}', 24)
    location: location
    tags: allTags
  }
}

var keyVaultName = 'kvdf${env}${token}'

module functionApp 'modules/functionapp.bicep' = {
  name: 'function-app'
  params: {
    name: functionAppName
    planName: 'plan-datafirst-${env}-${token}'
    location: location
    tags: allTags
    hostStorageAccountName: hostStorage.outputs.name
    deploymentContainerUrl: hostStorage.outputs.deploymentContainerUrl
    dataStorageAccountName: dataStorage.outputs.name
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    keyVaultUri: 'https://${keyVaultName}${environment().suffixes.keyvaultDns}/'
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
  }
}

module srsIdentity 'modules/srs-identity.bicep' = {
  name: 'srs-identity'
  params: {
    name: 'id-datafirst-srs-transfer-${env}'
    location: location
    tags: allTags
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'key-vault'
  params: {
    name: keyVaultName
    location: location
    tags: allTags
    pseudonymisationKeyId: pseudonymisationKeyId
    pseudonymisationKey: pseudonymisationKey
    secretReaderPrincipalId: functionApp.outputs.principalId
  }
}

module hostStorageAccess 'modules/host-storage-access.bicep' = {
  name: 'host-storage-access'
  params: {
    hostStorageAccountName: hostStorage.outputs.name
    appPrincipalId: functionApp.outputs.principalId
  }
}

module dataAccess 'modules/data-access.bicep' = {
  name: 'data-access'
  params: {
    dataStorageAccountName: dataStorage.outputs.name
    appPrincipalId: functionApp.outputs.principalId
    srsTransferPrincipalId: srsIdentity.outputs.principalId
  }
}

module monitoringAccess 'modules/monitoring-access.bicep' = {
  name: 'monitoring-access'
  params: {
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    appPrincipalId: functionApp.outputs.principalId
  }
}

module eventGrid 'modules/eventgrid.bicep' = if (deployEventSubscription) {
  name: 'event-grid'
  params: {
    systemTopicName: 'evgt-datafirst-${env}-${token}'
    location: location
    tags: allTags
    dataStorageAccountName: dataStorage.outputs.name
    functionAppName: functionApp.outputs.name
  }
}

output functionAppName string = functionApp.outputs.name
output functionAppHostName string = functionApp.outputs.defaultHostName
output dataStorageAccountName string = dataStorage.outputs.name
output dataBlobEndpoint string = dataStorage.outputs.blobEndpoint
output hostStorageAccountName string = hostStorage.outputs.name
output keyVaultName string = keyVault.outputs.name
output keyVaultUri string = keyVault.outputs.uri
output pseudonymisationSecretName string = keyVault.outputs.secretName
output applicationInsightsName string = monitoring.outputs.applicationInsightsName
output srsTransferIdentityClientId string = srsIdentity.outputs.clientId
output srsTransferIdentityPrincipalId string = srsIdentity.outputs.principalId
