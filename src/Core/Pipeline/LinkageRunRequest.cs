namespace DataFirst.Core.Pipeline;

/// <summary>
/// What a linkage run needs: the extracts, the settings, the share to produce. Small and
/// serialisable: it is the orchestrator's input (blob paths, never records).
/// Blob references are "container/name".
/// </summary>
public sealed record LinkageRunRequest
{
    /// <summary>Share (research project) name: letters, digits, '-' and '_'.</summary>
    public required string Share { get; init; }

    /// <summary>Share version, e.g. "2026-11"; defaults to the run date (yyyy-MM-dd).</summary>
    public string? Version { get; init; }

    public required IReadOnlyList<ExtractReference> Extracts { get; init; }

    /// <summary>Linkage settings blob; null uses the built-in justice settings.</summary>
    public string? Settings { get; init; }

    /// <summary>A saved model to score with (no training); null trains a new model.</summary>
    public string? Model { get; init; }

    /// <summary>Share spec blob; null shares every dataset with every non-identifying variable.</summary>
    public string? ShareSpec { get; init; }

    /// <summary>Pseudonymisation key id; defaults to the share name.</summary>
    public string? KeyId { get; init; }

    /// <summary>Partitions per blocking rule: the unit of fan-out.</summary>
    public int Partitions { get; init; } = 8;

    /// <summary>The date the run is "as of" (ages, coverage, version); defaults to the start date.</summary>
    public DateOnly? RunDate { get; init; }

    /// <summary>Seed for sampling in training; runs with the same inputs and seed give the same outputs.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Keep the run's intermediates in working/ after the share is published (for inspecting a run); by default
    /// they are removed then, since several hold personal data.</summary>
    public bool KeepWorking { get; init; }
}

/// <summary>One extract of a run: the dataset it holds (a profile name) and where it is.</summary>
public sealed record ExtractReference(string Dataset, string Blob);
