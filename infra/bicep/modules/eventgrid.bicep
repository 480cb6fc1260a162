// Event Grid: BlobCreated events for extracts/{share}/_run.json on the data account, delivered to
// the blob extension's webhook of ExtractRunBlobTrigger (Source = EventGrid; Flex Consumption has
// no polling blob trigger). Deploy after the code (deployEventSubscription=true): the webhook
// validates the subscription and its key exists only once the function is published.
param systemTopicName string
param location string
param tags object = {}
param dataStorageAccountName string
param functionAppName string

@description('Function name of the Event Grid blob trigger (nameof(ExtractRunBlobTrigger)).')
param functionName string = 'ExtractRunBlobTrigger'

resource account 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: dataStorageAccountName
}

resource functionApp 'Microsoft.Web/sites@2024-11-01' existing = {
  name: functionAppName
}

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: systemTopicName
  location: location
  tags: tags
  properties: {
    source: account.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

resource runManifestSubscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: systemTopic
  name: 'extracts-run-manifest'
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: 'https://${functionApp.properties.defaultHostName}/runtime/webhooks/blobs?functionName=Host.Functions.${functionName}&code=${listKeys('${functionApp.id}/host/default', '2024-11-01').systemKeys.blobs_extension}'
      }
    }
    filter: {
      includedEventTypes: ['Microsoft.Storage.BlobCreated']
      subjectBeginsWith: '/blobServices/default/containers/extracts/blobs/'
      subjectEndsWith: '/_run.json'
    }
    eventDeliverySchema: 'EventGridSchema'
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}

output systemTopicName string = systemTopic.name
output subscriptionName string = runManifestSubscription.name
