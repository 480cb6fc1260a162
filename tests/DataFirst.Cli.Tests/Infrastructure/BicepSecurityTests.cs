namespace DataFirst.Cli.Tests.Infrastructure;

public sealed class BicepSecurityTests
{
    private static readonly string BicepFolder = Path.Combine(RepositoryRoot.Find(), "infra", "bicep");

    private static Dictionary<string, string> LoadTemplates() =>
        Directory.EnumerateFiles(BicepFolder, "*.bicep*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(BicepFolder, f).Replace('\\', '/'), File.ReadAllText, StringComparer.Ordinal);

    [Fact]
    public void Check_RepositoryTemplates_HaveEveryRequiredSetting()
    {
        var problems = BicepSecurityChecker.Check(LoadTemplates());

        problems.Should().BeEmpty();
    }

    [Fact]
    public void ParseResources_StorageModule_FindsEveryContainerWithItsBody()
    {
        var storage = LoadTemplates()["modules/storage.bicep"];

        var containers = BicepSecurityChecker.ParseResources("modules/storage.bicep", storage)
            .Where(r => r.Type == "Microsoft.Storage/storageAccounts/blobServices/containers")
            .ToList();

        containers.Select(c => c.Symbol).Should().BeEquivalentTo("extracts", "working", "quarantine", "models", "linkage", "srsTransfer");
        containers.Should().OnlyContain(c => c.Body.Contains("publicAccess: 'None'") && !c.Body.Contains("resource "));
    }

    [Fact]
    public void ParseResources_InterpolatedStringsAndComments_DoNotEndTheBlockEarly()
    {
        const string text = """
            resource sub 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
              // the app's webhook
              properties: {
                url: 'https://${app.name}/x?code=${listKeys('${app.id}/host/default', '2024-11-01').systemKeys.k}'
              }
              marker: true
            }
            """;

        var resource = BicepSecurityChecker.ParseResources("t.bicep", text).Single();

        resource.Body.Should().Contain("marker: true");
    }

    public static TheoryData<string, string, string, string> Mutations() => new()
    {
        { "modules/storage.bicep", "allowSharedKeyAccess: false", "allowSharedKeyAccess: true", "allowSharedKeyAccess" },
        { "modules/host-storage.bicep", "allowBlobPublicAccess: false", "allowBlobPublicAccess: true", "allowBlobPublicAccess" },
        { "modules/storage.bicep", "minimumTlsVersion: 'TLS1_2'", "minimumTlsVersion: 'TLS1_0'", "minimumTlsVersion" },
        { "modules/storage.bicep", "name: 'srs-transfer'\n  properties: {\n    publicAccess: 'None'", "name: 'srs-transfer'\n  properties: {\n    publicAccess: 'Blob'", "publicAccess" },
        { "modules/storage.bicep", "name: 'quarantine'", "name: 'rejects'", "'quarantine'" },
        { "modules/storage.bicep", "immutabilityPeriodSinceCreationInDays: srsImmutabilityDays", "// retention removed", "immutability" },
        { "modules/storage.bicep", "prefixMatch: ['working/']", "prefixMatch: ['work/']", "working/" },
        { "modules/functionapp.bicep", "tier: 'FlexConsumption'", "tier: 'Dynamic'", "Flex Consumption" },
        { "modules/functionapp.bicep", "type: 'SystemAssigned'\n  }", "type: 'None'\n  }", "SystemAssigned" },
        { "modules/keyvault.bicep", "enableRbacAuthorization: true", "enableRbacAuthorization: false", "enableRbacAuthorization" },
        { "modules/keyvault.bicep", "name: 'pseudonymisation-key-${pseudonymisationKeyId}'", "name: 'other-${pseudonymisationKeyId}'", "pseudonymisation-key" },
        { "modules/data-access.bicep", "scope: extracts", "scope: account", "data-access" },
        { "modules/data-access.bicep", BicepSecurityChecker.TableDataContributor, "00000000-0000-0000-0000-000000000000", "Blob/Table/Queue data roles" },
        { "modules/monitoring.bicep", "DisableLocalAuth: true", "DisableLocalAuth: false", "Application Insights" },
        { "modules/monitoring.bicep", "Microsoft.OperationalInsights/workspaces@2023-09-01", "Microsoft.OperationalInsights/workspaces@2023-09-01-preview", "preview" },
        { "modules/functionapp.bicep", "AzureWebJobsStorage__accountName: hostStorageAccountName", "AzureWebJobsStorage: 'AccountKey=${x}'", "storage account key" },
    };

    [Theory]
    [MemberData(nameof(Mutations))]
    public void Check_TemplateWithASettingRemoved_ReportsIt(string file, string original, string replacement, string expectedProblem)
    {
        var templates = LoadTemplates();
        templates[file].Should().Contain(original, "the mutation must hit the real template");
        templates[file] = templates[file].Replace(original, replacement, StringComparison.Ordinal);

        var problems = BicepSecurityChecker.Check(templates);

        problems.Should().Contain(p => p.Contains(expectedProblem, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Check_ModuleNotUsedByMain_IsReported()
    {
        var templates = LoadTemplates();
        templates["main.bicep"] = templates["main.bicep"].Replace("'modules/srs-identity.bicep'", "'modules/other.bicep'", StringComparison.Ordinal);

        BicepSecurityChecker.Check(templates).Should().Contain(p => p.Contains("does not use modules/srs-identity.bicep"));
    }

    [Fact]
    public void DevParameters_SetEveryMainParameterWithoutDefault()
    {
        var templates = LoadTemplates();
        var required = System.Text.RegularExpressions.Regex.Matches(templates["main.bicep"], @"^param (\w+) \w+\s*$", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value)
            .ToList();

        required.Should().Contain(["environmentName", "pseudonymisationKey"]);
        templates["main.dev.bicepparam"].Should().StartWith("//").And.Contain("using 'main.bicep'");
        foreach (var name in required)
        {
            templates["main.dev.bicepparam"].Should().Contain($"param {name} = ", $"main.bicep param {name} has no default");
        }
    }
}
