namespace DataFirst.Core.Pipeline;

// Inputs and results of the pipeline's activities: blob references ("container/name"), counts
// and histograms — never records. Every one is JSON-serialisable for Durable Functions.

/// <summary>Where a run keeps its intermediates: working/{runId}/...</summary>
public sealed record RunContext(string RunId, string Share, string Version, DateOnly RunDate, string SettingsBlob, int Seed);

public sealed record CheckInputsInput(RunContext Run, LinkageRunRequest Request);

/// <summary>The run's pinned settings, its blocking rules, and the share, version and key id it publishes
/// (from the share spec when there is one, else from the request).</summary>
/// <param name="KeyFingerprint"><see cref="Deidentification.PseudonymKey.Fingerprint"/> of the key the run started with.</param>
/// <param name="ExtractBytes">Each extract's size in bytes, in the request's order (null in histories written before it was
/// kept): the orchestrator starts the largest first.</param>
/// <param name="ShareColumns">Per dataset of the run, the columns of its extract that writing the share reads
/// (<see cref="Activities.ShareSupport.ColumnsNeeded"/>; empty for a dataset the share leaves out); null in histories written
/// before ingest checked them.</param>
public sealed record CheckInputsResult(string SettingsBlob, IReadOnlyList<string> PredictionRules, IReadOnlyList<string> TrainingRules, bool HasModel, string Share, string Version, string KeyId, string? KeyFingerprint = null, IReadOnlyList<long>? ExtractBytes = null, IReadOnlyDictionary<string, IReadOnlyList<string>>? ShareColumns = null);

/// <param name="ShareColumns">The columns the share needs of this extract, which ingest refuses the file without; null (left out
/// of the JSON, so the input and its history hash stay as they were) for a run whose inputs were checked before ingest
/// checked them.</param>
public sealed record IngestExtractInput(RunContext Run, ExtractReference Extract, ShareColumnsNeeded? ShareColumns = null);

/// <summary>The columns of one extract that writing the share reads, and the share spec that asks for them (null: the run has
/// none, so its share has every shareable variable of every dataset).</summary>
public sealed record ShareColumnsNeeded(IReadOnlyList<string> Columns, string? ShareSpecBlob);

/// <summary><paramref name="RecordsBlob"/>: standardised identifiers for linkage (empty for datasets without
/// identifiers); <paramref name="CleanBlob"/>: the accepted rows as they came, which later stages read;
/// <paramref name="CaseLinkBlob"/>: for a court extract case linking reads, the part of the clean rows it uses
/// (<see cref="CaseLinking.CaseLinkProjection"/>; null for other datasets, and in results recorded before it existed).</summary>
public sealed record IngestExtractResult(string Dataset, string RecordsBlob, string CleanBlob, long Rows, long Rejected, string? QuarantineBlob, IReadOnlyDictionary<string, long> NullCounts, string? CaseLinkBlob = null);

/// <summary>A blocking rule: which list (prediction or training) and its position.</summary>
public sealed record RuleRef(string Kind, int Index)
{
    public const string Prediction = "prediction";
    public const string Training = "training";

    public override string ToString() => $"{Kind}-{Index}";
}

public sealed record PartitionRecordsInput(RunContext Run, IReadOnlyList<string> RecordBlobs, RuleRef Rule, int Partitions);

/// <summary>A rule's shards and blocking figures. <paramref name="Comparisons"/>: for a prediction rule the pairs no earlier
/// rule found; for a training rule all its pairs (its EM session counts them all, or
/// <paramref name="PairSampleRate"/> of them when they exceed em.max_pairs). <paramref name="ShardParts"/>: per partition,
/// its shard's parts (one per dataset); <paramref name="ShardBlobs"/> (one whole shard per partition) is what results
/// recorded before parts existed hold.</summary>
public sealed record PartitionRecordsResult(RuleRef Rule, IReadOnlyList<string> ShardBlobs, long Comparisons, long LargestBlock, IReadOnlyList<string> Warnings, double PairSampleRate = 1, IReadOnlyList<IReadOnlyList<string>>? ShardParts = null)
{
    /// <summary>Per partition, the blobs of its shard.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Shards() => ShardParts ?? ShardBlobs.Select(b => (IReadOnlyList<string>)[b]).ToList();
}

/// <summary>Term frequencies always; λ and u only when training (<paramref name="Train"/>).</summary>
public sealed record EstimateParametersInput(RunContext Run, IReadOnlyList<string> RecordBlobs, bool Train);

public sealed record EstimateParametersResult(string? ParametersBlob, string TermFrequenciesBlob, double Lambda, long SampledPairs);

/// <summary>One shard of a training rule; <paramref name="PairSampleRate"/> below 1 counts that seeded sample of its pairs.</summary>
public sealed record CountPatternsInput(RunContext Run, IReadOnlyList<string> ShardBlobs, int TrainingRule, double PairSampleRate = 1);

/// <summary>A partition's agreement-pattern histogram (comparison vector → pair count), as the engine's JSON.</summary>
public sealed record CountPatternsResult(int TrainingRule, string Histogram, long Pairs);

public sealed record TrainModelInput(RunContext Run, string ParametersBlob, IReadOnlyList<CountPatternsResult> Histograms);

public sealed record TrainModelResult(string ModelBlob, int Iterations, bool Converged, IReadOnlyList<string> Warnings);

public sealed record ScorePartitionInput(RunContext Run, IReadOnlyList<string> ShardBlobs, RuleRef Rule, int Partition, string ModelBlob, string TermFrequenciesBlob);

public sealed record ScorePartitionResult(string EdgesBlob, long Comparisons, long Edges);

/// <param name="KeyId">The share's pseudonymisation key, under which the records' checks in the person id mapping are made
/// (null in runs started before record checks were kept: the mapping is saved without them).</param>
/// <param name="KeyFingerprint"><see cref="Deidentification.PseudonymKey.Fingerprint"/> of the key the run started with.</param>
public sealed record ClusterRecordsInput(RunContext Run, IReadOnlyList<string> RecordBlobs, IReadOnlyList<string> EdgeBlobs, string ModelBlob, string? KeyId = null, string? KeyFingerprint = null);

/// <summary><paramref name="PersonIdsFolder"/>: the run's person id mapping (dataset, row id, person id; a blob per dataset), kept in the linkage container.</summary>
public sealed record ClusterRecordsResult(string PersonIdsFolder, long Records, long Clusters, long LargestCluster, long SuspiciousClusters, Deidentification.PersonIdReport PersonIds, IReadOnlyList<string> Warnings);

public sealed record LinkCasesInput(RunContext Run, IReadOnlyList<ExtractReference> Extracts, string? ShareSpecBlob, string KeyId, string? KeyFingerprint = null);

/// <summary><paramref name="TableBlob"/> is the share's case_links.csv (null when the share has no case links).</summary>
public sealed record LinkCasesResult(string? TableBlob, long Links, long CrownCases, long CrownCasesLinked);

/// <param name="RejectedAtIngest">Rows ingest quarantined from the extract, for the catalogue (null when none, so the
/// input, and its fingerprint in a run's history, is as before for an extract without rejects).</param>
public sealed record WriteShareDatasetInput(RunContext Run, ExtractReference Extract, string? ShareSpecBlob, string KeyId, string? KeyFingerprint = null, long? RejectedAtIngest = null);

/// <summary>A dataset's share file (null when the share spec leaves the dataset out) and its statistics.</summary>
/// <param name="LinkingBlob">The dataset's rows of linking.csv (no header): person-level datasets, when the share has a linking dataset.</param>
public sealed record WriteShareDatasetResult(string Dataset, string? FileBlob, long Rows, string? StatsBlob, string? LinkingBlob = null, long LinkingRows = 0);

public sealed record WriteCatalogueInput(RunContext Run, IReadOnlyList<WriteShareDatasetResult> Datasets, LinkCasesResult CaseLinks, string ModelBlob, string? ShareSpecBlob, string KeyId, Deidentification.PersonIdReport PersonIds);

/// <summary>Every file of the share version, as (file name in the share, working blob).</summary>
public sealed record WriteCatalogueResult(IReadOnlyList<ShareFileRef> Files, string DisclosureReportBlob);

public sealed record ShareFileRef(string Name, string Blob);

public sealed record PublishShareInput(RunContext Run, IReadOnlyList<ShareFileRef> Files);

public sealed record PublishShareResult(string Location, int Files, string ManifestSha256);

public sealed record CleanWorkingInput(RunContext Run);

/// <summary>Intermediate blobs removed from working/{run}/ and their bytes.</summary>
public sealed record CleanWorkingResult(long Blobs, long Bytes);

/// <summary>The output of a linkage run.</summary>
public sealed record LinkageRunResult(
    string RunId,
    string Share,
    string Version,
    long RecordsIn,
    long RecordsRejected,
    long Comparisons,
    long EstimatedPeople,
    long CaseLinks,
    int EmIterations,
    bool EmConverged,
    Deidentification.PersonIdReport PersonIds,
    string PublishedTo,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<StageTiming> Stages,
    IReadOnlyList<RuleBlocking>? Blocking = null);

/// <summary>
/// One blocking rule's analysis, made before any pair is scored: <paramref name="Comparisons"/> is, for a prediction rule,
/// the pairs no earlier rule found, and for a training rule all its pairs, of which its EM session counts
/// <paramref name="PairSampleRate"/> (1: all; below 1 when they exceed em.max_pairs).
/// </summary>
public sealed record RuleBlocking(string Rule, string Columns, long Comparisons, long LargestBlock, double PairSampleRate);

/// <summary>Stage timing from the orchestration clock (replay-safe).</summary>
public sealed record StageTiming(string Stage, double Seconds);
