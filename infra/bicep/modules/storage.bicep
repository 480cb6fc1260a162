// Data storage account: the pipeline's containers and tables. Entra ID (RBAC) only: no shared
// keys, no anonymous access, TLS 1.2. srs-transfer is write-once (time-based WORM); working and
// quarantine data are deleted by lifecycle rules.
@description('Storage account name (3-24 lower-case letters and digits).')
@minLength(3)
@maxLength(24)
param name string

param location string
param tags object = {}

@allowed(['Standard_LRS', 'Standard_ZRS', 'Standard_GZRS'])
param skuName string = 'Standard_ZRS'

@minValue(1)
@description('Days after last modification when per-run intermediates under working/ are deleted.')
param workingRetentionDays int

@minValue(1)
@description('Days after last modification when rejected rows under quarantine/ are deleted.')
param quarantineRetentionDays int

@minValue(1)
@description('Days each published blob in srs-transfer stays immutable (WORM) after creation.')
param srsImmutabilityDays int

resource account 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowCrossTenantReplication: false
    publicNetworkAccess: 'Enabled'
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource extracts 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobService
  name: 'extracts'
  properties: {
    publicAccess: 'None'
  }
}

resource working 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobService
  name: 'working'
  properties: {
    publicAccess: 'None'
  }
}

resource quarantine 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobService
  name: 'quarantine'
  properties: {
    publicAccess: 'None'
  }
}

resource models 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobService
  name: 'models'
  properties: {
    publicAccess: 'None'
  }
}

// Internal linkage state that must outlive a run: the person id mapping of each share
// (stable person ids across refreshes). Never shared, never deleted by the working-data rule.
resource linkage 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobService
  name: 'linkage'
  properties: {
    publicAccess: 'None'
  }
}

resource srsTransfer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobService
  name: 'srs-transfer'
  properties: {
    publicAccess: 'None'
  }
}

// Time-based retention (WORM) on the published shares: blobs can be created and read, never
// modified or deleted until the period has passed. Deployed unlocked; lock it once verified
// (docs/functions.md): a locked policy can only be extended, never removed.
resource srsTransferWorm 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@2025-01-01' = {
  parent: srsTransfer
  name: 'default'
  properties: {
    immutabilityPeriodSinceCreationInDays: srsImmutabilityDays
    allowProtectedAppendWrites: false
  }
}

resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2025-01-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'delete-working-data'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: ['blockBlob']
              prefixMatch: ['working/']
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterModificationGreaterThan: workingRetentionDays
                }
              }
            }
          }
        }
        {
          name: 'delete-quarantined-rows'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: ['blockBlob']
              prefixMatch: ['quarantine/']
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterModificationGreaterThan: quarantineRetentionDays
                }
              }
            }
          }
        }
      ]
    }
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2025-01-01' = {
  parent: account
  name: 'default'
}

resource runsTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-01-01' = {
  parent: tableService
  name: 'Runs'
}

resource receiptsTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-01-01' = {
  parent: tableService
  name: 'Receipts'
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-01-01' = {
  parent: account
  name: 'default'
}

// The blob trigger moves manifests it cannot process here (in the trigger's own account).
resource blobTriggerPoisonQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-01-01' = {
  parent: queueService
  name: 'webjobs-blobtrigger-poison'
}

output name string = account.name
output id string = account.id
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output tableEndpoint string = account.properties.primaryEndpoints.table
