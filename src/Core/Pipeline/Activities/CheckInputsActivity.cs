using System.Text;
using DataFirst.Core.Deidentification;
using DataFirst.Core.Settings;
using DataFirst.Core.Storage;

namespace DataFirst.Core.Pipeline.Activities;

/// <summary>
/// Fails fast, before anything is written, when a run cannot succeed: an extract, the settings,
/// the model or the share spec is missing or invalid, or a dataset has no profile. Pins the
/// run's settings by copying them into the run's working folder.
/// </summary>
public sealed class CheckInputsActivity(PipelineServices services)
{
    public const string Name = nameof(CheckInputsActivity);

    public async Task<CheckInputsResult> RunAsync(CheckInputsInput input, CancellationToken cancellationToken)
    {
        var request = input.Request;
        var problems = new List<string>();
        var extractBytes = new List<long>();
        foreach (var extract in request.Extracts)
        {
            if (!PipelineProfiles.Catalog.TryGet(extract.Dataset, out _))
            {
                problems.Add($"extract '{extract.Blob}': no dataset profile named '{extract.Dataset}' (known: {string.Join(", ", PipelineProfiles.Catalog.Names.Order(StringComparer.Ordinal))})");
            }

            if (await LengthAsync(extract.Blob, cancellationToken).ConfigureAwait(false) is { } bytes)
            {
                extractBytes.Add(bytes);
            }
            else
            {
                problems.Add($"extract '{extract.Blob}' (dataset {extract.Dataset}) does not exist");
            }
        }

        foreach (var (what, blob) in new[] { ("settings", request.Settings), ("model", request.Model), ("share spec", request.ShareSpec) })
        {
            if (blob is not null && !await ExistsAsync(blob, cancellationToken).ConfigureAwait(false))
            {
                problems.Add($"{what} '{blob}' does not exist");
            }
        }

        if (!request.Extracts.Any(e => PipelineProfiles.Catalog.TryGet(e.Dataset, out var p) && p.IsPersonLevel))
        {
            problems.Add("no extract holds person identifiers, so there is nothing to link (include e.g. magistrates.csv)");
        }

        if (problems.Count > 0)
        {
            throw new ExtractRejectedException("the run cannot start: " + string.Join("; ", problems) + ". Nothing was written.");
        }

        // A saved model scores with the settings it was trained with; otherwise the run's settings.
        var settingsJson = request.Model is not null
            ? ModelSettingsJson(request.Model, Encoding.UTF8.GetString(await services.ReadBytesAsync(request.Model, cancellationToken).ConfigureAwait(false)))
            : request.Settings is null
                ? PipelineSettings.BuiltInJson()
                : Encoding.UTF8.GetString(await services.ReadBytesAsync(request.Settings, cancellationToken).ConfigureAwait(false));
        LinkageSettings settings;
        try
        {
            settings = LinkageSettings.Parse(settingsJson);
        }
        catch (SettingsException ex)
        {
            throw new ExtractRejectedException($"settings '{request.Settings ?? "built-in justice settings"}': {ex.Message}");
        }

        var (share, version, keyId) = (input.Run.Share, input.Run.Version, request.KeyId ?? request.Share);
        var datasets = request.Extracts.Select(e => e.Dataset).Distinct(StringComparer.Ordinal).ToList();
        ShareSpec? spec = null;
        if (request.ShareSpec is { } specBlob)
        {
            var specJson = Encoding.UTF8.GetString(await services.ReadBytesAsync(specBlob, cancellationToken).ConfigureAwait(false));
            try
            {
                spec = ShareSpec.Parse(specJson, PipelineProfiles.Catalog);
            }
            catch (ShareSpecException ex)
            {
                throw new ExtractRejectedException($"share spec '{specBlob}': {ex.Message}");
            }

            var missing = spec.Datasets.Select(d => d.Dataset).Where(d => request.Extracts.All(e => e.Dataset != d)).ToList();
            if (missing.Count > 0)
            {
                throw new ExtractRejectedException($"share spec '{specBlob}' asks for dataset(s) {string.Join(", ", missing)} that the run has no extract for. Nothing was written.");
            }

            (share, version, keyId) = (spec.Share, spec.Version, spec.KeyId);
        }

        // What the share reads of each extract, so that ingest refuses an extract without it at once instead of the share
        // step failing after linkage (a resume would replay the completed ingest, so the run could never finish).
        spec ??= ShareSupport.DefaultSpec(share, version, keyId, datasets);
        var shareColumns = datasets.ToDictionary(d => d, d => ShareSupport.ColumnsNeeded(spec, d, datasets), StringComparer.Ordinal);

        // The key must exist before anything is written (the message names the key id, never the key).
        var key = await services.Keys.GetKeyAsync(keyId, cancellationToken).ConfigureAwait(false);
        if (await SharePublisher.GetStateAsync(services.Blobs, share, version, PipelineServices.TransferContainer, cancellationToken).ConfigureAwait(false) == ShareVersionState.Complete)
        {
            throw new ExtractRejectedException($"share '{share}' version '{version}' is already published in {PipelineServices.TransferContainer}; published versions are never overwritten. Give the run a new version.");
        }

        var pinned = PipelineServices.Working(input.Run, "settings.json");
        await services.WriteAsync(pinned, s => s.WriteAsync(Encoding.UTF8.GetBytes(settingsJson), cancellationToken).AsTask(), cancellationToken).ConfigureAwait(false);
        return new CheckInputsResult(
            pinned,
            settings.BlockingRulesForPrediction.Select(r => string.Join(" & ", r)).ToList(),
            settings.BlockingRulesForTraining.Select(r => string.Join(" & ", r)).ToList(),
            request.Model is not null,
            share,
            version,
            keyId,
            key.Fingerprint(),
            extractBytes,
            shareColumns);
    }

    private async Task<bool> ExistsAsync(string blob, CancellationToken cancellationToken) =>
        await LengthAsync(blob, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>The blob's size; null when it does not exist or its name is not valid.</summary>
    private async Task<long?> LengthAsync(string blob, CancellationToken cancellationToken)
    {
        try
        {
            return await services.LengthAsync(blob, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException)
        {
            return null;
        }
        catch (StorageException ex) when (ex.Kind is StorageErrorKind.NotFound or StorageErrorKind.InvalidName)
        {
            return null;
        }
    }

    private static string ModelSettingsJson(string blob, string modelJson)
    {
        try
        {
            return Training.LinkageModel.FromJson(modelJson).Settings.ToJson();
        }
        catch (LinkageException ex)
        {
            throw new ExtractRejectedException($"model '{blob}' cannot be read: {ex.Message}");
        }
    }
}
