// Dev environment. Deploy (docs/functions.md):
//   export DATAFIRST_PSEUDONYMISATION_KEY="$(openssl rand -base64 32)"
//   az deployment group create -g rg-datafirst-dev -f infra/bicep/main.bicep -p infra/bicep/main.dev.bicepparam
using 'main.bicep'

param environmentName = 'dev'
param dataStorageSku = 'Standard_LRS'
param workingRetentionDays = 7
param quarantineRetentionDays = 14
// Short WORM period in dev so that test shares expire; prod keeps the 365-day default.
param srsImmutabilityDays = 1
param pseudonymisationKeyId = 'dev'
param pseudonymisationKey = readEnvironmentVariable('DATAFIRST_PSEUDONYMISATION_KEY')
param maximumInstanceCount = 40
param deployEventSubscription = bool(readEnvironmentVariable('DATAFIRST_DEPLOY_EVENT_SUBSCRIPTION', 'false'))
param tags = {
  costCentre: 'datafirst-dev'
}
