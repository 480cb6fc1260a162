using System.Text.RegularExpressions;

namespace DataFirst.Cli.Tests.Infrastructure;

/// <summary>
/// Reads the Bicep templates as text (no Bicep compiler here) and reports every required security
/// setting that is missing. A resource block is the text between the '{' after
/// <c>resource name 'type@version' = </c> and its matching '}'.
/// </summary>
internal static partial class BicepSecurityChecker
{
    public const string BlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    public const string BlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    public const string BlobDataReader = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
    public const string QueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    public const string TableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    public const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";

    public static readonly string[] DataContainers = ["extracts", "working", "quarantine", "models", "linkage", "srs-transfer"];

    public sealed record Resource(string File, string Symbol, string Type, string ApiVersion, bool Existing, string Body);

    /// <summary>Files keyed by path relative to infra/bicep ("main.bicep", "modules/storage.bicep").</summary>
    public static IReadOnlyList<string> Check(IReadOnlyDictionary<string, string> files)
    {
        var problems = new List<string>();
        var resources = files.Where(f => f.Key.EndsWith(".bicep", StringComparison.Ordinal))
            .SelectMany(f => ParseResources(f.Key, f.Value)).ToList();
        IEnumerable<Resource> OfType(string type) => resources.Where(r => r.Type.Equals(type, StringComparison.OrdinalIgnoreCase) && !r.Existing);
        void Require(bool ok, string problem)
        {
            if (!ok)
            {
                problems.Add(problem);
            }
        }

        // API versions: dated, not previews, not older than 2020.
        foreach (var r in resources)
        {
            Require(!r.ApiVersion.Contains("preview", StringComparison.OrdinalIgnoreCase), $"{r.File}: {r.Symbol} uses preview API version {r.ApiVersion}");
            Require(DateOnly.TryParse(r.ApiVersion, out var date) && date.Year >= 2020, $"{r.File}: {r.Symbol} API version {r.ApiVersion} is not a current dated version");
        }

        // Every storage account: TLS 1.2, no anonymous blob access, no shared keys, https only.
        var accounts = OfType("Microsoft.Storage/storageAccounts").ToList();
        Require(accounts.Count >= 1, "no storage account resource");
        foreach (var a in accounts)
        {
            Require(Has(a.Body, @"minimumTlsVersion:\s*'TLS1_2'"), $"{a.File}: storage account {a.Symbol} lacks minimumTlsVersion: 'TLS1_2'");
            Require(Has(a.Body, @"allowBlobPublicAccess:\s*false"), $"{a.File}: storage account {a.Symbol} lacks allowBlobPublicAccess: false");
            Require(Has(a.Body, @"allowSharedKeyAccess:\s*false"), $"{a.File}: storage account {a.Symbol} lacks allowSharedKeyAccess: false");
            Require(Has(a.Body, @"supportsHttpsTrafficOnly:\s*true"), $"{a.File}: storage account {a.Symbol} lacks supportsHttpsTrafficOnly: true");
        }

        // Every container private; the data containers exist.
        var containers = OfType("Microsoft.Storage/storageAccounts/blobServices/containers").ToList();
        foreach (var c in containers)
        {
            Require(Has(c.Body, @"publicAccess:\s*'None'"), $"{c.File}: container {c.Symbol} lacks publicAccess: 'None'");
        }

        foreach (var name in DataContainers)
        {
            Require(containers.Any(c => Has(c.Body, $@"name:\s*'{Regex.Escape(name)}'")), $"container '{name}' is not declared");
        }

        // WORM on srs-transfer.
        var srs = containers.FirstOrDefault(c => Has(c.Body, @"name:\s*'srs-transfer'"));
        var worm = OfType("Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies").ToList();
        Require(
            srs is not null && worm.Any(w => w.File == srs.File && Has(w.Body, $@"parent:\s*{srs.Symbol}\b") && Has(w.Body, @"immutabilityPeriodSinceCreationInDays:\s*\w+") && Has(w.Body, @"allowProtectedAppendWrites:\s*false")),
            "srs-transfer has no time-based immutability policy (immutabilityPolicies with immutabilityPeriodSinceCreationInDays, allowProtectedAppendWrites: false)");

        // Lifecycle rule deleting working data.
        Require(
            OfType("Microsoft.Storage/storageAccounts/managementPolicies").Any(p => Has(p.Body, @"prefixMatch:\s*\[\s*'working/'\s*\]") && Has(p.Body, @"delete:\s*\{\s*daysAfterModificationGreaterThan:\s*\w+")),
            "no lifecycle rule deleting blobs under working/ (managementPolicies with prefixMatch ['working/'] and a delete action)");

        // Flex Consumption plan + app with system-assigned identity and functionAppConfig.
        Require(OfType("Microsoft.Web/serverfarms").Any(p => Has(p.Body, @"name:\s*'FC1'") && Has(p.Body, @"tier:\s*'FlexConsumption'")), "no Flex Consumption plan (sku FC1, tier FlexConsumption)");
        var sites = OfType("Microsoft.Web/sites").ToList();
        Require(sites.Any(s => Has(s.Body, @"functionAppConfig:\s*\{") && Has(s.Body, @"runtime:\s*\{\s*name:\s*'dotnet-isolated'")), "function app lacks functionAppConfig with the dotnet-isolated runtime");
        Require(sites.Any(s => Has(s.Body, @"identity:\s*\{\s*type:\s*'SystemAssigned'\s*\}")), "function app lacks a SystemAssigned identity");
        Require(sites.Any(s => Has(s.Body, @"httpsOnly:\s*true")), "function app lacks httpsOnly: true");

        // No keys or connection strings in any template.
        foreach (var file in files)
        {
            Require(!Has(file.Value, @"AccountKey=|\.listKeys\(\)|listKeys\([^)]*storageAccounts"), $"{file.Key}: uses a storage account key; use managed identity");
        }

        // Role assignments: the data roles exist, data roles never reach the data account as a whole.
        var roles = OfType("Microsoft.Authorization/roleAssignments").ToList();
        var roleText = string.Join("\n", files.Where(f => roles.Any(r => r.File == f.Key)).Select(f => f.Value));
        foreach (var (role, label) in new[] { (BlobDataContributor, "Storage Blob Data Contributor"), (BlobDataReader, "Storage Blob Data Reader"), (QueueDataContributor, "Storage Queue Data Contributor"), (TableDataContributor, "Storage Table Data Contributor"), (KeyVaultSecretsUser, "Key Vault Secrets User") })
        {
            Require(roleText.Contains(role, StringComparison.OrdinalIgnoreCase), $"no role assignment with {label} ({role})");
        }

        Require(roles.All(r => Has(r.Body, @"principalType:\s*'ServicePrincipal'")), "a role assignment lacks principalType: 'ServicePrincipal'");
        Require(files.TryGetValue("modules/data-access.bicep", out var dataAccess) && !dataAccess.Contains(BlobDataOwner, StringComparison.OrdinalIgnoreCase) && !Has(dataAccess, @"scope:\s*account\b"),
            "modules/data-access.bicep must scope data roles to containers, tables and queues (no account scope, no Blob Data Owner)");
        foreach (var (module, required) in new[]
        {
            ("modules/data-access.bicep", new[] { BlobDataReader, BlobDataContributor, TableDataContributor, QueueDataContributor }),
            ("modules/host-storage-access.bicep", new[] { BlobDataOwner, QueueDataContributor, TableDataContributor }),
        })
        {
            var text = files.GetValueOrDefault(module) ?? string.Empty;
            Require(required.All(r => text.Contains(r, StringComparison.OrdinalIgnoreCase)), $"{module} lacks one of the role assignments {string.Join(", ", required)} (Blob/Table/Queue data roles)");
        }

        Require(dataAccess is not null && Has(dataAccess, @"scope:\s*srsTransfer\b[\s\S]*?srsTransferPrincipalId") && OfType("Microsoft.ManagedIdentity/userAssignedIdentities").Any(),
            "no separate SRS transfer identity reading srs-transfer");

        // Key Vault with RBAC and the pseudonymisation secret.
        Require(OfType("Microsoft.KeyVault/vaults").Any(v => Has(v.Body, @"enableRbacAuthorization:\s*true") && Has(v.Body, @"enablePurgeProtection:\s*true")), "Key Vault lacks enableRbacAuthorization: true and enablePurgeProtection: true");
        Require(OfType("Microsoft.KeyVault/vaults/secrets").Any(s => Has(s.Body, @"name:\s*'pseudonymisation-key-")), "Key Vault lacks the pseudonymisation-key-{keyId} secret");

        // Monitoring.
        Require(OfType("Microsoft.OperationalInsights/workspaces").Any(), "no Log Analytics workspace");
        Require(OfType("Microsoft.Insights/components").Any(c => Has(c.Body, @"WorkspaceResourceId:") && Has(c.Body, @"DisableLocalAuth:\s*true")), "no workspace-based Application Insights with DisableLocalAuth: true");

        // Every module is used by main.bicep and every module output is named.
        if (files.TryGetValue("main.bicep", out var main))
        {
            foreach (var module in files.Keys.Where(k => k.StartsWith("modules/", StringComparison.Ordinal)))
            {
                Require(main.Contains($"'{module}'", StringComparison.Ordinal), $"main.bicep does not use {module}");
                Require(Has(files[module], @"^output \w+ \w+ =", RegexOptions.Multiline), $"{module} has no named output");
            }
        }
        else
        {
            problems.Add("main.bicep is missing");
        }

        return problems;
    }

    public static IEnumerable<Resource> ParseResources(string file, string text)
    {
        foreach (Match m in ResourceHeader().Matches(text))
        {
            var open = text.IndexOf('{', m.Index + m.Length - 1);
            var close = MatchingBrace(text, open);
            yield return new Resource(file, m.Groups["symbol"].Value, m.Groups["type"].Value, m.Groups["version"].Value, m.Groups["existing"].Success, text[(open + 1)..close]);
        }
    }

    // Bicep strings are '...' with ${...} interpolations (which may hold strings themselves);
    // comments run from // to the end of the line.
    private static int MatchingBrace(string text, int open)
    {
        var frames = new Stack<char>(); // '{' block, '\'' string, '$' interpolation
        for (var i = open; i < text.Length; i++)
        {
            var ch = text[i];
            var inString = frames.Count > 0 && frames.Peek() == '\'';
            if (inString)
            {
                if (ch == '\\')
                {
                    i++;
                }
                else if (ch == '\'')
                {
                    frames.Pop();
                }
                else if (ch == '$' && i + 1 < text.Length && text[i + 1] == '{')
                {
                    frames.Push('$');
                    i++;
                }

                continue;
            }

            if (ch == '/' && i + 1 < text.Length && text[i + 1] == '/')
            {
                var newline = text.IndexOf('\n', i);
                i = newline < 0 ? text.Length : newline;
            }
            else if (ch == '\'')
            {
                frames.Push('\'');
            }
            else if (ch == '{')
            {
                frames.Push('{');
            }
            else if (ch == '}' && frames.Count > 0)
            {
                frames.Pop();
                if (frames.Count == 0)
                {
                    return i;
                }
            }
        }

        throw new FormatException($"unbalanced braces from offset {open}");
    }

    private static bool Has(string text, string pattern, RegexOptions options = RegexOptions.None) => Regex.IsMatch(text, pattern, options);

    [GeneratedRegex(@"^resource\s+(?<symbol>\w+)\s+'(?<type>[^'@]+)@(?<version>[^']+)'\s+(?<existing>existing\s+)?=\s+(?:\[\s*for\s[^\n]*?:\s*)?\{", RegexOptions.Multiline)]
    private static partial Regex ResourceHeader();
}
