// Data-plane roles of the function app on its runtime storage account. The Functions host and
// the Durable task hub (Azure Storage provider) need blobs (host keys, leases, deployment
// package), queues (control and work-item queues) and tables (history, instances) account-wide;
// this account holds no pipeline data.
param hostStorageAccountName string

@description('Principal id of the function app system-assigned identity.')
param appPrincipalId string

var storageBlobDataOwnerRoleId = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
var storageQueueDataContributorRoleId = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
var storageTableDataContributorRoleId = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
var hostRoleIds = [storageBlobDataOwnerRoleId, storageQueueDataContributorRoleId, storageTableDataContributorRoleId]

resource account 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: hostStorageAccountName
}

resource hostRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in hostRoleIds: {
    name: guid(account.id, appPrincipalId, roleId)
    scope: account
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

output roleAssignmentCount int = length(hostRoleIds)
