namespace DataFirst.Core.Evaluation;

/// <summary>Pairwise and B-cubed quality of a clustering against the truth.</summary>
public sealed record QualityMetrics(
    long TruePositivePairs,
    long PredictedPairs,
    long TruePairs,
    double Precision,
    double Recall,
    double F1,
    double BCubedPrecision,
    double BCubedRecall,
    double BCubedF1);

public static class LinkageMetrics
{
    /// <summary>Compares predicted cluster labels with true entity labels (one per record, same order).</summary>
    public static QualityMetrics Compare(IReadOnlyList<string> predicted, IReadOnlyList<string> truth)
    {
        if (predicted.Count != truth.Count)
        {
            throw new ArgumentException($"predicted ({predicted.Count}) and truth ({truth.Count}) label counts differ.", nameof(truth));
        }

        var pred = Count(predicted);
        var tru = Count(truth);
        var both = new Dictionary<(string, string), long>();
        for (var i = 0; i < predicted.Count; i++)
        {
            var k = (predicted[i], truth[i]);
            both[k] = both.GetValueOrDefault(k) + 1;
        }

        static long Pairs(long n) => n * (n - 1) / 2;
        var tp = both.Values.Sum(Pairs);
        var pp = pred.Values.Sum(Pairs);
        var tt = tru.Values.Sum(Pairs);
        var precision = pp == 0 ? 1 : (double)tp / pp;
        var recall = tt == 0 ? 1 : (double)tp / tt;
        double bp = 0, br = 0;
        for (var i = 0; i < predicted.Count; i++)
        {
            double inter = both[(predicted[i], truth[i])];
            bp += inter / pred[predicted[i]];
            br += inter / tru[truth[i]];
        }

        bp /= predicted.Count;
        br /= predicted.Count;
        return new QualityMetrics(tp, pp, tt, precision, recall, F(precision, recall), bp, br, F(bp, br));
    }

    /// <summary>Pairwise metrics against labelled pairs: a labelled match counts as found when both records share a
    /// cluster; a labelled non-match in one cluster is a false positive. Unlabelled pairs are ignored.</summary>
    public static (long TruePositives, long FalsePositives, long FalseNegatives, double Precision, double Recall, double F1) CompareLabels<TRecord>(
        Func<TRecord, string?> clusterOf, IEnumerable<(TRecord Left, TRecord Right, bool Match)> labels)
    {
        long tp = 0, fp = 0, fn = 0;
        foreach (var (l, r, match) in labels)
        {
            var cl = clusterOf(l);
            var cr = clusterOf(r);
            var same = cl is not null && cl == cr;
            if (match && same)
            {
                tp++;
            }
            else if (match)
            {
                fn++;
            }
            else if (same)
            {
                fp++;
            }
        }

        var p = tp + fp == 0 ? 1 : (double)tp / (tp + fp);
        var rc = tp + fn == 0 ? 1 : (double)tp / (tp + fn);
        return (tp, fp, fn, p, rc, F(p, rc));
    }

    private static Dictionary<string, long> Count(IReadOnlyList<string> labels)
    {
        var d = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var l in labels)
        {
            d[l] = d.GetValueOrDefault(l) + 1;
        }

        return d;
    }

    private static double F(double p, double r) => p + r == 0 ? 0 : 2 * p * r / (p + r);
}
