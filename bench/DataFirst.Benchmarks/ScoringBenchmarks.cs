using BenchmarkDotNet.Attributes;
using DataFirst.Core.Comparisons;
using DataFirst.Core.Evaluation;
using DataFirst.Core.Ingest;
using DataFirst.Core.Prediction;
using DataFirst.Core.Settings;
using DataFirst.Core.Training;

namespace DataFirst.Benchmarks;

/// <summary>Comparison vectorising and partition scoring on synthetic people (the bench settings: two Jaro-Winkler name
/// comparisons with TF, date of birth, postcode, sex). Pairs are blocked on date of birth, so most are non-matches.</summary>
[MemoryDiagnoser]
public class ScoringBenchmarks
{
    private const int Records = 50_000;
    private const int Pairs = 20_000;
    private RecordSet records = null!;
    private LinkageModel model = null!;
    private TermFrequencyTables tf = null!;
    private ComparisonVectorizer vectorizer = null!;
    private int[] pairA = [];
    private int[] pairB = [];

    [GlobalSetup]
    public void Setup()
    {
        var settings = LinkageSettings.Parse(SyntheticPeople.BenchSettings);
        records = new RecordSetBuilder(settings).AddRows(SyntheticPeople.Header, SyntheticPeople.Generate(Records, 0.25, 11), "synthetic").Build();
        model = ModelTrainer.Train(records, settings, DateTimeOffset.UnixEpoch);
        tf = TermFrequencyTables.Compute(records, settings);
        vectorizer = new ComparisonVectorizer(Core.Comparisons.ComparisonSpec.FromSettings(settings), records);

        // Candidate pairs as scoring sees them: records sharing a date of birth.
        var dob = records.Codes[records.ColumnIndex("date_of_birth")];
        var byDob = Enumerable.Range(0, records.Count).Where(r => dob[r] != 0).GroupBy(r => dob[r]).Where(g => g.Count() > 1);
        var a = new List<int>();
        var b = new List<int>();
        foreach (var g in byDob)
        {
            var members = g.ToArray();
            for (var x = 0; x < members.Length && a.Count < Pairs; x++)
            {
                for (var y = x + 1; y < members.Length && a.Count < Pairs; y++)
                {
                    a.Add(members[x]);
                    b.Add(members[y]);
                }
            }
        }

        pairA = a.ToArray();
        pairB = b.ToArray();
    }

    /// <summary>Comparison vector (pattern key: one level per comparison) of each pair, every level evaluated.</summary>
    [Benchmark(OperationsPerInvoke = Pairs)]
    public long ComparisonVectors()
    {
        long sum = 0;
        for (var i = 0; i < pairA.Length; i++)
        {
            sum += vectorizer.Pattern(pairA[i], pairB[i]);
        }

        return sum;
    }

    /// <summary>Scores one partition end to end: compile (cached per-value tables), block on the first prediction rule,
    /// score its pairs, collect edges. One thread.</summary>
    [Benchmark]
    public long ScorePartition() =>
        PartitionScorer.ScorePartition(records, model, 0, tf, maxDegreeOfParallelism: 1).Result.Comparisons;

    /// <summary>Every prediction rule over the whole set, as <c>datafirst bench</c>'s predict stage (all cores).</summary>
    [Benchmark]
    public int PredictAllRules() => InMemoryLinker.Predict(records, model, tf).Edges.Count;
}
