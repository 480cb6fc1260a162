// A separate, read-only identity for the transfer to the secure research service (SRS): it can
// read srs-transfer and nothing else (data-access.bicep). The SRS side federates with it.
param name string
param location string
param tags object = {}

resource srsTransferIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = srsTransferIdentity.id
output principalId string = srsTransferIdentity.properties.principalId
output clientId string = srsTransferIdentity.properties.clientId
