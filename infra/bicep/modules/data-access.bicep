// Data-plane roles on the data account, scoped to single containers, tables and queues:
//  - the function app reads extracts, writes working/quarantine/models/srs-transfer, uses the
//    Runs and Receipts tables and the blob trigger's poison queue;
//  - the SRS transfer identity reads srs-transfer only.
param dataStorageAccountName string

@description('Principal id of the function app system-assigned identity.')
param appPrincipalId string

@description('Principal id of the read-only SRS transfer identity.')
param srsTransferPrincipalId string

var storageBlobDataReaderRoleId = '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
var storageBlobDataContributorRoleId = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var storageTableDataContributorRoleId = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
var storageQueueDataContributorRoleId = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'

var appWritableContainers = ['working', 'quarantine', 'models', 'linkage', 'srs-transfer']
var appTables = ['Runs', 'Receipts']

resource account 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: dataStorageAccountName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' existing = {
  parent: account
  name: 'default'
}

resource extracts 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' existing = {
  parent: blobService
  name: 'extracts'
}

resource srsTransfer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' existing = {
  parent: blobService
  name: 'srs-transfer'
}

resource writableContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' existing = [
  for containerName in appWritableContainers: {
    parent: blobService
    name: containerName
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2025-01-01' existing = {
  parent: account
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-01-01' existing = [
  for tableName in appTables: {
    parent: tableService
    name: tableName
  }
]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-01-01' existing = {
  parent: account
  name: 'default'
}

resource poisonQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-01-01' existing = {
  parent: queueService
  name: 'webjobs-blobtrigger-poison'
}

resource appReadsExtracts 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(extracts.id, appPrincipalId, storageBlobDataReaderRoleId)
  scope: extracts
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataReaderRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource appWritesContainers 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (containerName, i) in appWritableContainers: {
    name: guid(writableContainers[i].id, appPrincipalId, storageBlobDataContributorRoleId)
    scope: writableContainers[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributorRoleId)
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource appUsesTables 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (tableName, i) in appTables: {
    name: guid(tables[i].id, appPrincipalId, storageTableDataContributorRoleId)
    scope: tables[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributorRoleId)
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource appUsesPoisonQueue 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(poisonQueue.id, appPrincipalId, storageQueueDataContributorRoleId)
  scope: poisonQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataContributorRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource srsReadsTransfer 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(srsTransfer.id, srsTransferPrincipalId, storageBlobDataReaderRoleId)
  scope: srsTransfer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataReaderRoleId)
    principalId: srsTransferPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output appRoleAssignmentCount int = 1 + length(appWritableContainers) + length(appTables) + 1
