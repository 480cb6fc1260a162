using System.Text.Json;
using DataFirst.Cli.Tests.Support;
using DataFirst.Core.Evaluation;

namespace DataFirst.Cli.Tests.Engine;

public sealed class EvaluateCommandTests
{
    [Fact]
    public async Task Evaluate_ClustersAgainstTruthColumn_PrintsPairwiseAndBCubed()
    {
        using var temp = new TempFolder();
        var input = temp.Combine("people.csv");
        EngineCli.WritePeople(input, 600, seed: 4);
        EngineCli.WriteSettings(temp.Combine("settings.json"));
        (await EngineCli.Run("link", "--settings", temp.Combine("settings.json"), "--input", input, "--out", temp.Combine("out"))).Code.Should().Be(CliApp.ExitOk);

        var (code, output, error) = await EngineCli.Run("evaluate", "--clusters", temp.Combine("out", "clusters.csv"), "--truth", input, "--truth-column", "person_id", "--predictions", temp.Combine("out", "predictions.csv"));

        code.Should().Be(CliApp.ExitOk, error);
        output.Should().Contain("600 records: pairwise precision").And.Contain("threshold sweep");
        var json = EngineCli.LastJson(output);
        json.GetProperty("precision").GetDouble().Should().BeGreaterThan(0.9);
        json.GetProperty("recall").GetDouble().Should().BeGreaterThan(0.8);
        json.GetProperty("f1").GetDouble().Should().BeInRange(0.85, 1.0);
        json.GetProperty("sweep").GetArrayLength().Should().BeGreaterThan(1);
    }

    [Theory]
    [InlineData("connected_components", 0.9615)]
    [InlineData("size_aware", 1.0)]
    [InlineData("average_linkage", 0.9615)]
    public async Task Evaluate_Sweep_UsesTheRunsClustering_FromTheModelBesideThePredictions(string clustering, double expectedPrecision)
    {
        // model.json from a real link run (its settings name the clustering); predictions.csv replaced by 50 confident
        // pairs and one weak link (p 0.8) from c to a0: size_aware keeps c apart, connected components join it (two
        // false pairs of 52). Average linkage cannot be swept from predictions alone and falls back, saying so. The sweep
        // starts at the run's threshold (0.5), below the lowest probability: no pair lies between, so 0.5 clusters as 0.8.
        using var temp = new TempFolder();
        var input = temp.Combine("people.csv");
        EngineCli.WritePeople(input, 300, seed: 5);
        var settings = temp.Combine("settings.json");
        EngineCli.WriteSettings(settings);
        File.WriteAllText(settings, File.ReadAllText(settings).Replace("\"match_threshold\"", $"\"clustering\": \"{clustering}\", \"match_threshold\"", StringComparison.Ordinal));
        (await EngineCli.Run("link", "--settings", settings, "--input", input, "--out", temp.Combine("out"))).Code.Should().Be(CliApp.ExitOk);
        var pairs = Enumerable.Range(0, 50).ToList();
        File.WriteAllLines(temp.Combine("out", "predictions.csv"), pairs.Select(i => $"a{i},p,b{i},p,13.3,0.9999").Append("a0,p,c,p,2,0.8").Prepend("unique_id_l,source_dataset_l,unique_id_r,source_dataset_r,match_weight,match_probability"));
        File.WriteAllLines(temp.Combine("out", "clusters.csv"), pairs.SelectMany(i => new[] { $"a{i},p,{i}", $"b{i},p,{i}" }).Append("c,p,c").Prepend("unique_id,source_dataset,cluster_id"));
        File.WriteAllLines(temp.Combine("truth.csv"), pairs.SelectMany(i => new[] { $"a{i},{i}", $"b{i},{i}" }).Append("c,x").Prepend("unique_id,person"));

        var (code, output, error) = await EngineCli.Run("evaluate", "--clusters", temp.Combine("out", "clusters.csv"), "--truth", temp.Combine("truth.csv"), "--truth-column", "person", "--predictions", temp.Combine("out", "predictions.csv"));

        code.Should().Be(CliApp.ExitOk, error);
        output.Contains("sweep: connected components", StringComparison.Ordinal).Should().Be(clustering == "average_linkage");
        var first = EngineCli.LastJson(output).GetProperty("sweep").EnumerateArray().First();
        first.GetProperty("threshold").GetDouble().Should().Be(0.5);
        first.GetProperty("precision").GetDouble().Should().BeApproximately(expectedPrecision, 1e-4);
    }

    [Fact]
    public async Task Evaluate_BrokenModelBesideThePredictions_FailsNamingTheFile()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.Combine("out"));
        File.WriteAllText(temp.Combine("out", "model.json"), "{ \"version\": 1, ");
        File.WriteAllLines(temp.Combine("out", "predictions.csv"), ["unique_id_l,source_dataset_l,unique_id_r,source_dataset_r,match_weight,match_probability", "a,p,b,p,13.3,0.9999"]);
        File.WriteAllLines(temp.Combine("out", "clusters.csv"), ["unique_id,source_dataset,cluster_id", "a,p,0", "b,p,0"]);
        File.WriteAllLines(temp.Combine("truth.csv"), ["unique_id,person", "a,1", "b,1"]);

        var (code, _, error) = await EngineCli.Run("evaluate", "--clusters", temp.Combine("out", "clusters.csv"), "--truth", temp.Combine("truth.csv"), "--truth-column", "person", "--predictions", temp.Combine("out", "predictions.csv"));

        code.Should().Be(CliApp.ExitFailure);
        error.Should().Contain(temp.Combine("out", "model.json")).And.Contain("sweep");
    }

    [Fact]
    public async Task Evaluate_PerfectClusters_GiveF1One_AndAllInOne_GivesLowPrecision()
    {
        using var temp = new TempFolder();
        var input = temp.Combine("people.csv");
        var rows = EngineCli.WritePeople(input, 200, seed: 6);
        File.WriteAllLines(temp.Combine("perfect.csv"), rows.Select(r => $"{r[0]},people,{r[1]}").Prepend("unique_id,source_dataset,cluster_id"));
        File.WriteAllLines(temp.Combine("one.csv"), rows.Select(r => $"{r[0]},people,0").Prepend("unique_id,source_dataset,cluster_id"));

        var (code, output, _) = await EngineCli.Run("evaluate", "--clusters", temp.Combine("perfect.csv"), "--truth", input, "--truth-column", "person_id");
        var (_, one, _) = await EngineCli.Run("evaluate", "--clusters", temp.Combine("one.csv"), "--truth", input, "--truth-column", "person_id");

        code.Should().Be(CliApp.ExitOk);
        EngineCli.LastJson(output).GetProperty("f1").GetDouble().Should().Be(1.0);
        var all = EngineCli.LastJson(one);
        all.GetProperty("recall").GetDouble().Should().Be(1.0);
        all.GetProperty("precision").GetDouble().Should().BeLessThan(0.05);
    }

    [Fact]
    public async Task Evaluate_TabAndPipeDelimitedFiles_AreReadLikeCommaOnes()
    {
        using var temp = new TempFolder();
        File.WriteAllLines(temp.Combine("clusters.tsv"), ["unique_id\tsource_dataset\tcluster_id", "a\tp\t0", "b\tp\t0", "c\tp\t1"]);
        File.WriteAllLines(temp.Combine("truth.psv"), ["unique_id|person", "a|1", "b|1", "c|2"]);
        File.WriteAllLines(temp.Combine("labels.csv"), ["unique_id_l;unique_id_r;match", "a;b;true", "a;c;false"]);

        var (code, output, error) = await EngineCli.Run("evaluate", "--clusters", temp.Combine("clusters.tsv"), "--truth", temp.Combine("truth.psv"), "--truth-column", "person");
        var (labelCode, labelOutput, labelError) = await EngineCli.Run("evaluate", "--clusters", temp.Combine("clusters.tsv"), "--labels", temp.Combine("labels.csv"));

        code.Should().Be(CliApp.ExitOk, error);
        EngineCli.LastJson(output).GetProperty("f1").GetDouble().Should().Be(1.0);
        labelCode.Should().Be(CliApp.ExitOk, labelError);
        var labelled = EngineCli.LastJson(labelOutput);
        labelled.GetProperty("true_positives").GetInt32().Should().Be(1);
        labelled.GetProperty("false_positives").GetInt32().Should().Be(0);
    }

    [Theory]
    [InlineData("unique_id,source_dataset,cluster_id\na,p,0\nb,p\n", "line 3: 2 field(s) where the header has 3")]
    [InlineData("unique_id,source_dataset\na,p\n", "lacks column(s) cluster_id")]
    [InlineData("", "is empty")]
    public async Task Evaluate_BrokenClustersFile_FailsNamingFileAndLine(string text, string expected)
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.Combine("clusters.csv"), text);
        File.WriteAllLines(temp.Combine("truth.csv"), ["unique_id,person", "a,1", "b,1"]);

        var (code, _, error) = await EngineCli.Run("evaluate", "--clusters", temp.Combine("clusters.csv"), "--truth", temp.Combine("truth.csv"), "--truth-column", "person");

        code.Should().Be(CliApp.ExitFailure);
        error.Should().Contain($"--clusters '{temp.Combine("clusters.csv")}'").And.Contain(expected);
    }

    [Fact]
    public async Task Evaluate_LabelThatIsNotAScore_FailsNamingTheLine()
    {
        using var temp = new TempFolder();
        File.WriteAllLines(temp.Combine("clusters.csv"), ["unique_id,source_dataset,cluster_id", "a,p,0", "b,p,0"]);
        File.WriteAllLines(temp.Combine("labels.csv"), ["unique_id_l,unique_id_r,clerical_match_score", "a,b,1", "a,b,yes"]);

        var (code, _, error) = await EngineCli.Run("evaluate", "--clusters", temp.Combine("clusters.csv"), "--labels", temp.Combine("labels.csv"));

        code.Should().Be(CliApp.ExitFailure);
        error.Should().Contain("line 3").And.Contain("match label");
    }

    [Fact]
    public async Task Evaluate_LinkRunWhoseDatasetsShareUniqueIds_ScoresEachRecord_AsWithDistinctIds()
    {
        // The same two extracts linked twice: once with distinct ids, once with both numbering rows from 0. Keyed by the
        // id alone, the second run's records would overwrite each other; keyed by (source dataset, id) both score alike.
        using var temp = new TempFolder();
        var rows = EngineCli.WritePeople(temp.Combine("people.csv"), 400, seed: 8);
        var settings = temp.Combine("settings.json");
        EngineCli.WriteSettings(settings);
        File.WriteAllText(settings, File.ReadAllText(settings).Replace("\"dedupe_only\"", "\"link_and_dedupe\"", StringComparison.Ordinal));
        var header = string.Join(',', SyntheticPeople.Header);
        var halves = new[] { rows.Take(200).ToList(), rows.Skip(200).ToList() };
        var f1 = new List<double>();
        foreach (var overlap in new[] { false, true })
        {
            var folder = temp.Combine(overlap ? "shared-ids" : "distinct-ids");
            Directory.CreateDirectory(folder);
            var truth = new List<string> { "unique_id,source_dataset,person" };
            for (var h = 0; h < 2; h++)
            {
                var name = h == 0 ? "a" : "b";
                var lines = halves[h].Select((r, i) => string.Join(',', r.Select((v, c) => c == 0 ? (overlap ? i : (h * 200) + i).ToString(System.Globalization.CultureInfo.InvariantCulture) : v ?? ""))).ToList();
                File.WriteAllLines(Path.Combine(folder, $"{name}.csv"), lines.Prepend(header));
                truth.AddRange(lines.Select(l => l.Split(',')).Select(c => $"{c[0]},{name},{c[1]}"));
            }

            File.WriteAllLines(Path.Combine(folder, "truth.csv"), truth);
            var (linkCode, _, linkError) = await EngineCli.Run("link", "--settings", settings, "--input", Path.Combine(folder, "a.csv"), "--input", Path.Combine(folder, "b.csv"), "--out", Path.Combine(folder, "out"));
            linkCode.Should().Be(CliApp.ExitOk, linkError);

            var (code, output, error) = await EngineCli.Run("evaluate", "--clusters", Path.Combine(folder, "out", "clusters.csv"), "--truth", Path.Combine(folder, "truth.csv"), "--truth-column", "person", "--predictions", Path.Combine(folder, "out", "predictions.csv"));

            code.Should().Be(CliApp.ExitOk, error);
            var json = EngineCli.LastJson(output);
            json.GetProperty("records").GetInt32().Should().Be(400);
            f1.Add(json.GetProperty("f1").GetDouble());
        }

        f1[0].Should().BeGreaterThan(0.8);
        f1[1].Should().Be(f1[0]);
    }

    [Fact]
    public async Task Evaluate_DatasetsSharingIds_TruthAndLabelsNameTheDataset_OrFailNamingTheLine()
    {
        using var temp = new TempFolder();
        // a:1 and b:1 are linked; a:2 and b:2 are not.
        File.WriteAllLines(temp.Combine("clusters.csv"), ["unique_id,source_dataset,cluster_id", "1,a,0", "1,b,0", "2,a,1", "2,b,2"]);
        File.WriteAllLines(temp.Combine("truth.csv"), ["unique_id,source_dataset,person", "1,a,P1", "1,b,P1", "2,a,P2", "2,b,P3"]);
        File.WriteAllLines(temp.Combine("truth-ds.csv"), ["unique_id,origin,person", "1,a,P1", "1,b,P1", "2,a,P2", "2,b,P2"]);
        File.WriteAllLines(temp.Combine("truth-no-ds.csv"), ["unique_id,person", "1,P1", "2,P2"]);
        File.WriteAllLines(temp.Combine("labels.csv"), ["unique_id_l,source_dataset_l,unique_id_r,source_dataset_r,clerical_match_score", "1,a,1,b,1", "2,a,2,b,0", "2,a,9,b,1"]);
        File.WriteAllLines(temp.Combine("labels-no-ds.csv"), ["unique_id_l,unique_id_r,clerical_match_score", "1,1,1"]);
        File.WriteAllLines(temp.Combine("labels-other-ds.csv"), ["unique_id_l,source_dataset_l,unique_id_r,source_dataset_r,clerical_match_score", "1,a,1,b,1", "1,a,1,c,1"]);
        string clusters = temp.Combine("clusters.csv");

        var truth = await EngineCli.Run("evaluate", "--clusters", clusters, "--truth", temp.Combine("truth.csv"), "--truth-column", "person");
        var named = await EngineCli.Run("evaluate", "--clusters", clusters, "--truth", temp.Combine("truth-ds.csv"), "--truth-column", "person", "--truth-dataset-column", "origin");
        var labels = await EngineCli.Run("evaluate", "--clusters", clusters, "--labels", temp.Combine("labels.csv"));
        var truthNoDataset = await EngineCli.Run("evaluate", "--clusters", clusters, "--truth", temp.Combine("truth-no-ds.csv"), "--truth-column", "person");
        var missingNamedColumn = await EngineCli.Run("evaluate", "--clusters", clusters, "--truth", temp.Combine("truth-no-ds.csv"), "--truth-column", "person", "--truth-dataset-column", "origin");
        var labelsNoDataset = await EngineCli.Run("evaluate", "--clusters", clusters, "--labels", temp.Combine("labels-no-ds.csv"));
        var labelsOtherDataset = await EngineCli.Run("evaluate", "--clusters", clusters, "--labels", temp.Combine("labels-other-ds.csv"));

        truth.Code.Should().Be(CliApp.ExitOk, truth.Err);
        var t = EngineCli.LastJson(truth.Out);
        (t.GetProperty("records").GetInt32(), t.GetProperty("precision").GetDouble(), t.GetProperty("recall").GetDouble()).Should().Be((4, 1.0, 1.0));
        named.Code.Should().Be(CliApp.ExitOk, named.Err);
        EngineCli.LastJson(named.Out).GetProperty("recall").GetDouble().Should().Be(0.5);
        labels.Code.Should().Be(CliApp.ExitOk, labels.Err);
        var l = EngineCli.LastJson(labels.Out);
        (l.GetProperty("true_positives").GetInt32(), l.GetProperty("false_positives").GetInt32(), l.GetProperty("false_negatives").GetInt32(), l.GetProperty("labelled_pairs_outside_clusters").GetInt32()).Should().Be((1, 0, 1, 1));
        labels.Err.Should().Contain("warning: 1 labelled pair(s) name a record that is not in --clusters");
        truthNoDataset.Code.Should().Be(CliApp.ExitFailure);
        truthNoDataset.Err.Should().Contain("line 2: the unique id is in 2 datasets of the run (a, b)").And.Contain("source dataset column");
        missingNamedColumn.Code.Should().Be(CliApp.ExitFailure);
        missingNamedColumn.Err.Should().Contain("lacks column(s) origin");
        labelsNoDataset.Code.Should().Be(CliApp.ExitFailure);
        labelsNoDataset.Err.Should().Contain("--labels").And.Contain("line 2: the unique id is in 2 datasets");
        labelsOtherDataset.Code.Should().Be(CliApp.ExitFailure);
        labelsOtherDataset.Err.Should().Contain("line 3: source dataset 'c' is not a dataset of the run's clusters (they are: a, b)");
    }

    [Theory]
    [InlineData("unique_id,source_dataset,cluster_id\n1,a,0\n2,a,0\n1,a,1\n", "line 4: the source dataset and unique id of line 2 again")]
    [InlineData("unique_id,cluster_id\n1,0\n1,1\n", "line 3: the unique id (and the file has no source_dataset column")]
    [InlineData("unique_id,Unique_ID,cluster_id\n1,1,0\n", "column 'Unique_ID' appears twice")]
    public async Task Evaluate_ClustersGivingARecordTwice_FailsNamingBothLines(string text, string expected)
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.Combine("clusters.csv"), text);
        File.WriteAllLines(temp.Combine("truth.csv"), ["unique_id,person", "1,1", "2,1"]);

        var (code, _, error) = await EngineCli.Run("evaluate", "--clusters", temp.Combine("clusters.csv"), "--truth", temp.Combine("truth.csv"), "--truth-column", "person");

        code.Should().Be(CliApp.ExitFailure);
        error.Should().Contain(expected);
    }

    [Fact]
    public async Task Evaluate_TruthGivingARecordTwoLabels_FailsNamingTheLine()
    {
        using var temp = new TempFolder();
        File.WriteAllLines(temp.Combine("clusters.csv"), ["unique_id,source_dataset,cluster_id", "1,a,0", "2,a,0"]);
        File.WriteAllLines(temp.Combine("truth.csv"), ["unique_id,person", "1,P1", "2,P1", "1,P1", "1,P7"]);

        var (code, _, error) = await EngineCli.Run("evaluate", "--clusters", temp.Combine("clusters.csv"), "--truth", temp.Combine("truth.csv"), "--truth-column", "person");

        code.Should().Be(CliApp.ExitFailure);
        error.Should().Contain("line 5: a record given a truth label on an earlier line is given another one here").And.NotContain("P7");
    }

    [Fact]
    public async Task Evaluate_NeitherTruthNorLabels_IsAUsageError()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.Combine("c.csv"), "unique_id,source_dataset,cluster_id\n1,a,0\n");

        var (code, _, error) = await EngineCli.Run("evaluate", "--clusters", temp.Combine("c.csv"));

        code.Should().Be(CliApp.ExitUsage);
        error.Should().Contain("--truth");
    }

    private const string ClustersAB = "unique_id,source_dataset,cluster_id\na,p,0\nb,p,0\nc,p,1\nd,p,2\n";

    private static async Task<(int Code, string Out, string Err)> EvaluateLabels(TempFolder temp, params string[] labelLines)
    {
        File.WriteAllText(temp.Combine("clusters.csv"), ClustersAB);
        File.WriteAllLines(temp.Combine("labels.csv"), labelLines);
        return await EngineCli.Run("evaluate", "--clusters", temp.Combine("clusters.csv"), "--labels", temp.Combine("labels.csv"));
    }

    [Fact]
    public async Task Evaluate_LabelsWithHeaderOnly_FailsSayingNoLabelledPairs()
    {
        using var temp = new TempFolder();

        var (code, output, error) = await EvaluateLabels(temp, "unique_id_l,unique_id_r,clerical_match_score");

        code.Should().Be(CliApp.ExitFailure);
        error.Should().Contain($"--labels '{temp.Combine("labels.csv")}'").And.Contain("no labelled pairs");
        output.Should().NotContain("precision");
    }

    [Theory]
    [InlineData("a,b,1", "b,a,0", "line 3: the pair of line 2 (in either order) with the other label")]
    [InlineData("a,b,true", "a,b,false", "line 3: the pair of line 2 (in either order) with the other label")]
    [InlineData("a,b,1", "a,c,NaN", "line 3: the match score is not a number from 0 to 1")]
    [InlineData("a,b,1", "c,d,2", "line 3: the match score is not a number from 0 to 1")]
    [InlineData("a,b,1", "c,c,1", "line 3: a record paired with itself")]
    [InlineData("a,b,1", "x,x,0", "line 3: a record paired with itself")]
    public async Task Evaluate_LabelsThatContradictThemselves_FailNamingTheLine(string first, string second, string expected)
    {
        using var temp = new TempFolder();

        var (code, _, error) = await EvaluateLabels(temp, "unique_id_l,unique_id_r,clerical_match_score", first, second);

        code.Should().Be(CliApp.ExitFailure);
        error.Should().Contain($"--labels '{temp.Combine("labels.csv")}' {expected}");
    }

    [Fact]
    public async Task Evaluate_LabelsRepeatingAPair_ScoreItOnce_WithAWarning()
    {
        using var temp = new TempFolder();

        var (code, output, error) = await EvaluateLabels(temp, "unique_id_l,unique_id_r,clerical_match_score", "a,b,1", "b,a,1", "a,c,0");

        code.Should().Be(CliApp.ExitOk, error);
        EngineCli.LastJson(output).GetProperty("true_positives").GetInt32().Should().Be(1);
        error.Should().Contain("warning: 1 labelled pair(s) in --labels repeat an earlier line's pair and label");
    }

    [Fact]
    public async Task Evaluate_LabelsNamingAnotherDataset_FailNamingTheLine_WhenTheRunHasOne()
    {
        using var temp = new TempFolder();

        var (code, _, error) = await EvaluateLabels(temp, "unique_id_l,source_dataset_l,unique_id_r,source_dataset_r,clerical_match_score", "a,p,b,p,1", "a,q,b,q,1");

        code.Should().Be(CliApp.ExitFailure);
        error.Should().Contain("line 3: source dataset 'q' is not the dataset of the run's clusters ('p')");
    }

    [Fact]
    public async Task Evaluate_TruthAndLabelsTogether_IsAUsageError()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.Combine("clusters.csv"), ClustersAB);
        File.WriteAllLines(temp.Combine("labels.csv"), ["unique_id_l,unique_id_r,clerical_match_score", "a,b,1"]);
        File.WriteAllLines(temp.Combine("truth.csv"), ["unique_id,person", "a,1", "b,1", "c,2", "d,3"]);

        var (code, _, error) = await EngineCli.Run("evaluate", "--clusters", temp.Combine("clusters.csv"), "--truth", temp.Combine("truth.csv"), "--truth-column", "person", "--labels", temp.Combine("labels.csv"));

        code.Should().Be(CliApp.ExitUsage);
        error.Should().Contain("--truth and --labels: give one");
    }

    [Fact]
    public async Task Evaluate_TruthOptionsWithoutTruth_AreAUsageError()
    {
        using var temp = new TempFolder();

        File.WriteAllText(temp.Combine("clusters.csv"), ClustersAB);
        File.WriteAllLines(temp.Combine("labels.csv"), ["unique_id_l,unique_id_r,clerical_match_score", "a,b,1"]);

        var (code, _, error) = await EngineCli.Run("evaluate", "--clusters", temp.Combine("clusters.csv"), "--labels", temp.Combine("labels.csv"), "--truth-pattern", "^(\\d+)");

        code.Should().Be(CliApp.ExitUsage);
        error.Should().Contain("--truth-pattern applies to --truth, which is not given");
    }

    [Fact]
    public async Task Evaluate_BlankTruthLabels_AreLeftOutOfScoring_WithAWarning()
    {
        // c and d are unknown (blank): lumped together as one entity they would make a true pair the run missed.
        using var temp = new TempFolder();
        File.WriteAllText(temp.Combine("clusters.csv"), ClustersAB);
        File.WriteAllLines(temp.Combine("truth.csv"), ["unique_id,person", "a,1", "b,1", "c,", "d,"]);

        var (code, output, error) = await EngineCli.Run("evaluate", "--clusters", temp.Combine("clusters.csv"), "--truth", temp.Combine("truth.csv"), "--truth-column", "person");

        code.Should().Be(CliApp.ExitOk, error);
        var json = EngineCli.LastJson(output);
        (json.GetProperty("records").GetInt32(), json.GetProperty("recall").GetDouble(), json.GetProperty("records_blank_truth").GetInt32()).Should().Be((2, 1.0, 2));
        error.Should().Contain("warning: 2 record(s) of --clusters have a blank 'person' in --truth: they are left out of scoring");
    }

    [Fact]
    public async Task Evaluate_TruthLackingRecordsOfTheClusters_WarnsWithTheCount()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.Combine("clusters.csv"), ClustersAB);
        File.WriteAllLines(temp.Combine("truth.csv"), ["unique_id,person", "a,1", "b,1", "c,2"]);

        var (code, output, error) = await EngineCli.Run("evaluate", "--clusters", temp.Combine("clusters.csv"), "--truth", temp.Combine("truth.csv"), "--truth-column", "person");

        code.Should().Be(CliApp.ExitOk, error);
        EngineCli.LastJson(output).GetProperty("records_not_in_truth").GetInt32().Should().Be(1);
        error.Should().Contain("warning: 1 record(s) of --clusters are not in --truth: they are left out of scoring (the figures cover the 3 records");
    }

    [Theory]
    [InlineData("^rec-\\d+-", "--truth-pattern must have exactly one capture group (the entity label); it has 0")]
    [InlineData("^(rec)-(\\d+)-", "--truth-pattern must have exactly one capture group (the entity label); it has 2")]
    [InlineData("^rec-(\\d+", "--truth-pattern is not a valid regular expression")]
    public async Task Evaluate_TruthPatternWithoutExactlyOneGroup_IsAUsageError(string pattern, string expected)
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.Combine("clusters.csv"), ClustersAB);
        File.WriteAllLines(temp.Combine("truth.csv"), ["unique_id,rec", "a,rec-1-org", "b,rec-1-dup-0", "c,rec-2-org", "d,rec-3-org"]);

        var (code, _, error) = await EngineCli.Run("evaluate", "--clusters", temp.Combine("clusters.csv"), "--truth", temp.Combine("truth.csv"), "--truth-column", "rec", "--truth-pattern", pattern);

        code.Should().Be(CliApp.ExitUsage);
        error.Should().Contain(expected);
    }

    [Theory]
    [InlineData("c,rec-2-org", "d,REC-3", "line 5: the truth value does not match the truth pattern")]
    [InlineData("c,rec--org", "d,rec-3-org", "line 4: the truth value matches the truth pattern with an empty group")]
    public async Task Evaluate_TruthValueThePatternDoesNotMatch_FailsNamingTheLine(string c, string d, string expected)
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.Combine("clusters.csv"), ClustersAB);
        File.WriteAllLines(temp.Combine("truth.csv"), ["unique_id,rec", "a,rec-1-org", "b,rec-1-dup-0", c, d]);

        var (code, _, error) = await EngineCli.Run("evaluate", "--clusters", temp.Combine("clusters.csv"), "--truth", temp.Combine("truth.csv"), "--truth-column", "rec", "--truth-pattern", "^rec-(\\d*)-");

        code.Should().Be(CliApp.ExitFailure);
        error.Should().Contain($"--truth '{temp.Combine("truth.csv")}' {expected}").And.NotContain("REC-3");
    }

    [Fact]
    public async Task Evaluate_PredictionsOfAnotherRun_FailWhenNoneResolve_AndWarnWhenSomeDoNot()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.Combine("clusters.csv"), ClustersAB);
        File.WriteAllLines(temp.Combine("truth.csv"), ["unique_id,person", "a,1", "b,1", "c,2", "d,3"]);
        const string header = "unique_id_l,unique_id_r,match_weight,match_probability";
        File.WriteAllLines(temp.Combine("other.csv"), [header, "x,y,10,0.999", "y,z,10,0.999"]);
        File.WriteAllLines(temp.Combine("some.csv"), [header, "a,b,10,0.999", "y,z,10,0.999"]);
        string[] args = ["evaluate", "--clusters", temp.Combine("clusters.csv"), "--truth", temp.Combine("truth.csv"), "--truth-column", "person", "--predictions"];

        var other = await EngineCli.Run([.. args, temp.Combine("other.csv")]);
        var some = await EngineCli.Run([.. args, temp.Combine("some.csv")]);

        other.Code.Should().Be(CliApp.ExitFailure);
        other.Err.Should().Contain($"--predictions '{temp.Combine("other.csv")}': none of its 2 pair(s) names two records of --clusters");
        some.Code.Should().Be(CliApp.ExitOk, some.Err);
        some.Err.Should().Contain("warning: 1 of the 2 pair(s) in --predictions name a record that is not in --clusters");
    }

    [Fact]
    public async Task Evaluate_Sweep_StartsAtTheRunsMatchThreshold_EvenWhenEveryPredictionIsAboveIt()
    {
        // The run's threshold is 0.85 (not one of the sweep's own); every prediction is 0.9999, so the lowest probability,
        // rounded down, is 0.99: the sweep must still show the run's own threshold, the clustering the run made.
        using var temp = new TempFolder();
        var input = temp.Combine("people.csv");
        EngineCli.WritePeople(input, 200, seed: 5);
        var settings = temp.Combine("settings.json");
        EngineCli.WriteSettings(settings);
        File.WriteAllText(settings, File.ReadAllText(settings).Replace("\"match_threshold\": 0.5", "\"match_threshold\": 0.85", StringComparison.Ordinal));
        (await EngineCli.Run("link", "--settings", settings, "--input", input, "--out", temp.Combine("out"))).Code.Should().Be(CliApp.ExitOk);
        File.WriteAllText(temp.Combine("out", "clusters.csv"), ClustersAB);
        File.WriteAllLines(temp.Combine("out", "predictions.csv"), ["unique_id_l,unique_id_r,match_weight,match_probability", "a,b,13.3,0.9999"]);
        File.WriteAllLines(temp.Combine("truth.csv"), ["unique_id,person", "a,1", "b,1", "c,2", "d,3"]);

        var (code, output, error) = await EngineCli.Run("evaluate", "--clusters", temp.Combine("out", "clusters.csv"), "--truth", temp.Combine("truth.csv"), "--truth-column", "person", "--predictions", temp.Combine("out", "predictions.csv"));

        code.Should().Be(CliApp.ExitOk, error);
        EngineCli.LastJson(output).GetProperty("sweep").EnumerateArray().Select(r => r.GetProperty("threshold").GetDouble()).Should().Equal(0.85, 0.9, 0.95, 0.99, 0.999);
    }

    [Fact]
    public async Task EvaluateSuite_ExamplesFolderWithOneCase_ReportsTheCaseAndPassFlag()
    {
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("DATAFIRST_DATASETS")))
        {
            return; // the suite reads datasets from that folder, not from the temp layout built here
        }

        // Layout the suite expects: <repo>/DataFirst.Serverless.sln, <repo>/examples, <repo>/../shared/datasets.
        using var temp = new TempFolder();
        var repo = Directory.CreateDirectory(temp.Combine("repo")).FullName;
        File.WriteAllText(Path.Combine(repo, "DataFirst.Serverless.sln"), "");
        var examples = Directory.CreateDirectory(Path.Combine(repo, "examples")).FullName;
        var datasets = Directory.CreateDirectory(temp.Combine("shared", "datasets")).FullName;
        EngineCli.WritePeople(Path.Combine(datasets, "tiny.csv"), 500, seed: 8);
        EngineCli.WriteSettings(Path.Combine(examples, "tiny.json"));
        File.WriteAllText(Path.Combine(examples, "evaluation.json"), JsonSerializer.Serialize(new[]
        {
            new Dictionary<string, object> { ["name"] = "tiny", ["settings"] = "tiny.json", ["dataset"] = "tiny.csv", ["truth_column"] = "person_id", ["min_f1"] = 0.8 },
            new Dictionary<string, object> { ["name"] = "absent", ["settings"] = "tiny.json", ["dataset"] = "absent.csv", ["truth_column"] = "person_id", ["min_f1"] = 0.8 },
        }));

        var (code, output, error) = await EngineCli.Run("evaluate", "--suite", "--examples", examples);

        code.Should().Be(CliApp.ExitOk, error);
        output.Should().Contain("tiny: 500 records").And.Contain("absent: SKIPPED");
        var json = EngineCli.LastJson(output);
        json.GetProperty("passed").GetBoolean().Should().BeTrue();
        var tiny = json.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "tiny");
        tiny.GetProperty("f1").GetDouble().Should().BeGreaterThan(0.8);
        tiny.GetProperty("passed").GetBoolean().Should().BeTrue();
    }
}
