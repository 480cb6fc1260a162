// Function app on the Flex Consumption plan (FC1), .NET isolated worker, system-assigned identity.
// Every connection is identity-based: no storage keys or connection strings in app settings.
param name string
param planName string
param location string
param tags object = {}

@description('Runtime storage account (AzureWebJobsStorage, task hub, deployment package).')
param hostStorageAccountName string

@description('Blob container URL of the deployment package in the runtime storage account.')
param deploymentContainerUrl string

@description('Data storage account (extracts, working, quarantine, models, srs-transfer; Runs, Receipts).')
param dataStorageAccountName string

param applicationInsightsConnectionString string

@description('Key Vault URI holding pseudonymisation-key-{keyId} secrets.')
param keyVaultUri string

@allowed([2048, 4096])
param instanceMemoryMB int = 2048

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('.NET version of the isolated worker.')
param dotnetVersion string = '10.0'

var storageSuffix = environment().suffixes.storage

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
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

resource functionApp 'Microsoft.Web/sites@2024-11-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: dotnetVersion
      }
    }
  }
}

// Flex Consumption takes the worker runtime from functionAppConfig.runtime: no
// FUNCTIONS_WORKER_RUNTIME / FUNCTIONS_EXTENSION_VERSION here.
resource appSettings 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: {
    AzureWebJobsStorage__accountName: hostStorageAccountName
    AzureWebJobsStorage__credential: 'managedidentity'
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'
    // Blob trigger connection (ExtractRunBlobTrigger.Connection).
    DataFirstStorage__blobServiceUri: 'https://${dataStorageAccountName}.blob.${storageSuffix}'
    DataFirstStorage__queueServiceUri: 'https://${dataStorageAccountName}.queue.${storageSuffix}'
    DataFirstStorage__credential: 'managedidentity'
    // Core's storage adapters (DefaultAzureCredential → the system-assigned identity).
    DataFirst__Storage__AccountUrl: 'https://${dataStorageAccountName}.blob.${storageSuffix}'
    DataFirst__KeyVault__Uri: keyVaultUri
  }
}

// No publishing with basic (user/password) credentials.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

output name string = functionApp.name
output id string = functionApp.id
output defaultHostName string = functionApp.properties.defaultHostName
output principalId string = functionApp.identity.principalId
