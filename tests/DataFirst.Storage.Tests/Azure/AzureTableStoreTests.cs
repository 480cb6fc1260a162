using DataFirst.Core.Storage;
using DataFirst.Storage.Tables;
using DataFirst.Storage.Tests.Contracts;
using DataFirst.Testing.Azurite;

namespace DataFirst.Storage.Tests.Azure;

/// <summary>The table contract against Azurite (Table REST over Azure.Core, Shared Key).</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureTableStoreTests(AzuriteFixture azurite) : TableStoreContractTests
{
    protected override Task<ITableStore> CreateStoreAsync() =>
        Task.FromResult<ITableStore>(new AzureTableStore(new TableServiceClient(azurite.ConnectionString)));
}
