using Azure.Core;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using DataFirst.Core.Deidentification;
using DataFirst.Core.Pipeline;
using DataFirst.Core.Storage;
using DataFirst.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DataFirst.Functions.Hosting;

/// <summary>Registers Core's pipeline services and the storage / key adapters for the Functions host.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Storage: <c>DataFirst:Storage:AccountUrl</c> with DefaultAzureCredential (managed identity in
    /// Azure) or, locally only, <c>DataFirst:Storage:ConnectionString</c>. Keys: Key Vault when
    /// <c>DataFirst:KeyVault:Uri</c> is set, else <c>DataFirst:Pseudonymisation:Keys</c> (local only).
    /// </summary>
    public static IServiceCollection AddDataFirstPipeline(this IServiceCollection services, IConfiguration configuration)
    {
        var runningInAzure = !string.IsNullOrEmpty(configuration["WEBSITE_INSTANCE_ID"]);
        var storage = configuration.GetSection(DataFirstStorageSettings.SectionName).Get<DataFirstStorageSettings>() ?? new();
        storage.Validate();
        if (runningInAzure && storage.ConnectionString is { Length: > 0 })
        {
            throw new InvalidOperationException("DataFirst:Storage:ConnectionString is for local runs only; in Azure set DataFirst__Storage__AccountUrl and grant the app's managed identity the data roles (infra/bicep).");
        }

        var keyVault = configuration.GetSection(DataFirstKeyVaultSettings.SectionName).Get<DataFirstKeyVaultSettings>() ?? new();
        if (runningInAzure && keyVault.Uri is null)
        {
            throw new InvalidOperationException("DataFirst:KeyVault:Uri is required in Azure (app setting DataFirst__KeyVault__Uri): pseudonymisation keys come from Key Vault there.");
        }

        services.AddSingleton<TokenCredential>(_ => new DefaultAzureCredential());
        services.AddSingleton(provider => StorageFactory.Create(new StorageOptions
        {
            ConnectionString = storage.ConnectionString,
            BlobServiceUri = storage.AccountUrl,
            Credential = storage.AccountUrl is null ? null : provider.GetRequiredService<TokenCredential>(),
        }));
        services.AddSingleton<IBlobStore>(provider => provider.GetRequiredService<StorageAdapters>().Blobs);
        services.AddSingleton<ITableStore>(provider => provider.GetRequiredService<StorageAdapters>().Tables);

        if (keyVault.Uri is { } vaultUri)
        {
            services.AddSingleton(provider => new SecretClient(vaultUri, provider.GetRequiredService<TokenCredential>()));
            services.AddSingleton<IPseudonymKeyProvider, KeyVaultPseudonymKeyProvider>();
        }
        else
        {
            var keys = configuration.GetSection(DataFirstPseudonymisationSettings.SectionName).Get<DataFirstPseudonymisationSettings>()?.Keys
                ?? new Dictionary<string, string>(StringComparer.Ordinal);
            services.AddSingleton<IPseudonymKeyProvider>(new ConfigurationPseudonymKeyProvider(keys));
        }

        services.AddSingleton(provider => new PipelineServices(
            provider.GetRequiredService<IBlobStore>(),
            provider.GetRequiredService<ITableStore>(),
            provider.GetRequiredService<IPseudonymKeyProvider>(),
            provider.GetRequiredService<ILoggerFactory>()));
        return services;
    }
}
