using System.Globalization;
using System.Text;
using DataFirst.Core.Profiles;
using DataFirst.Core.Synthetic;

namespace DataFirst.Core.Tests.Synthetic;

public sealed class ExtractGeneratorFixture : IAsyncLifetime
{
    public const int People = 20_000;

    internal GeneratedExtracts Output { get; private set; } = null!;

    public async Task InitializeAsync() => Output = await GeneratedExtracts.GenerateAsync(new GeneratorOptions { People = People, Seed = 11 });

    public Task DisposeAsync() => Task.CompletedTask;
}

public sealed class ExtractGeneratorTests(ExtractGeneratorFixture fixture) : IClassFixture<ExtractGeneratorFixture>
{
    private static readonly ProfileCatalog Profiles = ProfileCatalog.LoadBuiltIn();

    private GeneratedExtracts Output => fixture.Output;

    [Fact]
    public async Task GenerateAsync_SameSeed_ByteIdenticalOutput()
    {
        var options = new GeneratorOptions { People = 3000, Seed = 5, BadInput = new BadInputOptions { MalformedRowRate = 0.01 } };

        var first = await GeneratedExtracts.GenerateAsync(options);
        var second = await GeneratedExtracts.GenerateAsync(options);

        first.Paths.Should().BeEquivalentTo(second.Paths);
        first.Paths.Should().Contain(["magistrates.csv", "truth/persons.csv", "truth/case_links.csv", "truth/bad_rows.csv", "truth/identity_errors.csv"]);
        foreach (var path in first.Paths)
        {
            first.Bytes(path).Should().Equal(second.Bytes(path), $"{path} must be byte-identical for the same seed");
        }
    }

    [Fact]
    public async Task GenerateAsync_DifferentSeed_DifferentOutput()
    {
        var a = await GeneratedExtracts.GenerateAsync(new GeneratorOptions { People = 500, Seed = 1 });
        var b = await GeneratedExtracts.GenerateAsync(new GeneratorOptions { People = 500, Seed = 2 });

        a.Bytes("magistrates.csv").Should().NotEqual(b.Bytes("magistrates.csv"));
    }

    [Fact]
    public async Task GenerateAsync_ToDirectory_WritesEveryDatasetAndTruth()
    {
        var folder = Path.Combine(Path.GetTempPath(), "datafirst-gen-" + Guid.NewGuid().ToString("N"));
        try
        {
            var summary = await new ExtractGenerator().GenerateAsync(new GeneratorOptions { People = 300, Seed = 3 }, folder, CancellationToken.None);

            foreach (var dataset in ExtractGenerator.AllDatasets)
            {
                File.Exists(Path.Combine(folder, dataset + ".csv")).Should().BeTrue(dataset);
            }

            File.Exists(Path.Combine(folder, "truth", "persons.csv")).Should().BeTrue();
            File.Exists(Path.Combine(folder, "truth", "case_links.csv")).Should().BeTrue();
            summary.RowsPerDataset.Keys.Should().BeEquivalentTo(ExtractGenerator.AllDatasets);
            summary.TotalRows.Should().Be(summary.RowsPerDataset.Values.Sum()).And.BeGreaterThan(300);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void GenerateAsync_EveryDataset_HeaderMatchesProfileAndCodesAreDeclared()
    {
        foreach (var dataset in ExtractGenerator.AllDatasets)
        {
            var profile = Profiles.Get(dataset);
            var table = Output.Dataset(dataset);

            table.Header.Should().Equal(profile.Columns.Select(c => c.Name), dataset);
            table.Rows.Should().NotBeEmpty(dataset);
            table.Rows.Should().OnlyContain(r => r.Length == table.Header.Length, $"{dataset} rows have one field per column");
            table.Values(profile.UniqueIdColumn).Should().OnlyHaveUniqueItems($"{dataset}.{profile.UniqueIdColumn} is unique");
            foreach (var column in profile.Columns)
            {
                var values = table.Values(column.Name).Where(v => v.Length > 0).Distinct().ToList();
                if (column.Codes is { } codes)
                {
                    values.Should().OnlyContain(v => codes.ContainsKey(v), $"{dataset}.{column.Name} values are in its code list");
                }

                if (column.Type == ColumnType.Date)
                {
                    var format = column.Format ?? "yyyy-MM-dd";
                    values.Where(v => !DateOnly.TryParseExact(v, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var _)).Should().BeEmpty($"{dataset}.{column.Name} is written as {format}");
                }

                if (column.Type == ColumnType.Integer)
                {
                    values.Where(v => !long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var _)).Should().BeEmpty($"{dataset}.{column.Name} is an integer");
                }
            }
        }
    }

    [Fact]
    public void GenerateAsync_EveryDataset_LeavesNoRequiredColumnEmpty()
    {
        // Ingest quarantines a row with an empty required column: the demo's extracts, noise and all, must have none.
        foreach (var dataset in ExtractGenerator.AllDatasets)
        {
            var profile = Profiles.Get(dataset);
            var table = Output.Dataset(dataset);
            foreach (var column in profile.Columns.Where(c => c.Required))
            {
                table.Values(column.Name).Count(v => v.Trim().Length == 0).Should().Be(0, $"{dataset}.{column.Name} is required");
            }
        }
    }

    [Fact]
    public async Task GenerateAsync_ProfileMarkingAColumnItFillsRequired_NeverLeavesItEmpty()
    {
        // Columns the simulation does not know are filled generically, some left empty (missing data); not required ones.
        var extra = new[]
        {
            new ColumnProfile { Name = "extra_code", Type = ColumnType.Categorical, Role = ColumnRole.Variable, Description = "x", Codes = new Dictionary<string, string> { ["A"] = "a", ["B"] = "b" }, Required = true },
            new ColumnProfile { Name = "extra_date", Type = ColumnType.Date, Role = ColumnRole.Variable, Description = "x", Format = "dd/MM/yyyy", Required = true },
            new ColumnProfile { Name = "extra_text", Type = ColumnType.String, Role = ColumnRole.Variable, Description = "x", Required = true },
            new ColumnProfile { Name = "optional_date", Type = ColumnType.Date, Role = ColumnRole.Variable, Description = "x", Format = "dd/MM/yyyy" },
        };
        var catalog = new ProfileCatalog(Profiles.Select(p => p.Name == "magistrates" ? p with { Columns = [.. p.Columns, .. extra] } : p));

        var output = await GeneratedExtracts.GenerateAsync(new GeneratorOptions { People = 2000, Seed = 4, Profiles = catalog, Datasets = ["magistrates"] });

        var table = output.Dataset("magistrates");
        table.Rows.Count.Should().BeGreaterThan(1000);
        foreach (var column in extra.Where(c => c.Required))
        {
            table.Values(column.Name).Should().NotContain(string.Empty, $"{column.Name} is required");
        }

        table.Values("optional_date").Should().Contain(string.Empty, "a column that is not required still gets missing values");
    }

    [Fact]
    public void GenerateAsync_References_PointAtExistingRows()
    {
        foreach (var profile in Profiles)
        {
            var table = Output.Dataset(profile.Name);
            foreach (var column in profile.Columns.Where(c => c.References is not null))
            {
                var (dataset, target) = (column.References!.Split('.')[0], column.References.Split('.')[1]);
                var existing = Output.Dataset(dataset).Values(target).ToHashSet(StringComparer.Ordinal);
                var values = table.Values(column.Name).Where(v => v.Length > 0).ToList();

                values.Where(v => !existing.Contains(v)).Should().BeEmpty($"{profile.Name}.{column.Name} references {column.References}");
                if (column.Name != "event_id" || profile.Name != "probation_psr")
                {
                    values.Should().HaveCount(table.Rows.Count, $"{profile.Name}.{column.Name} is always filled");
                }
            }
        }
    }

    [Fact]
    public void Truth_Persons_CoversEveryPersonLevelRowAndNothingElse()
    {
        var truth = Output.Read(ExtractGenerator.TruthPersonsPath);
        truth.Header.Should().Equal("dataset", "row_id", "person_id");

        truth.Values("dataset").Distinct().Should().BeEquivalentTo(ExtractGenerator.PersonLevelDatasets);
        foreach (var dataset in ExtractGenerator.PersonLevelDatasets)
        {
            var rowIds = Output.Dataset(dataset).Values("row_id").ToList();
            var truthIds = truth.Rows.Where(r => r[0] == dataset).Select(r => r[1]).ToList();
            truthIds.Should().BeEquivalentTo(rowIds, $"every {dataset} row has exactly one true person");
        }

        // The extracts never carry the truth.
        foreach (var dataset in ExtractGenerator.AllDatasets)
        {
            Output.Dataset(dataset).Header.Should().NotContain(h => h.Contains("person_id", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Truth_CaseLinks_JoinCrownCasesToMagistratesCasesOfTheSamePeople()
    {
        var mags = Output.Dataset(ExtractGenerator.Magistrates);
        var crown = Output.Dataset(ExtractGenerator.CrownCourt);
        var persons = Output.Read(ExtractGenerator.TruthPersonsPath).Rows.ToDictionary(r => (r[0], r[1]), r => r[2]);
        var magsByCase = mags.Rows.GroupBy(r => r[mags.Col("case_id")]).ToDictionary(g => g.Key, g => g.ToList());
        var crownByCase = crown.Rows.GroupBy(r => r[crown.Col("case_id")]).ToDictionary(g => g.Key, g => g.ToList());
        var links = Output.Read(ExtractGenerator.TruthCaseLinksPath);
        links.Header.Should().Equal("crown_case_id", "magistrates_case_id");

        // Collect violations and assert once: an assertion per case would make this test slow.
        var wrongPerson = new List<string>();
        var wrongCourt = new List<string>();
        var wrongFlag = new List<string>();
        foreach (var group in links.Rows.GroupBy(r => r[0]))
        {
            var crownRows = crownByCase[group.Key];
            var linkedMags = group.SelectMany(r => magsByCase[r[1]]).ToList();
            var magsPeople = linkedMags.Select(m => persons[("magistrates", m[0])]).ToHashSet();
            if (!crownRows.All(c => magsPeople.Contains(persons[("crown_court", c[0])])))
            {
                wrongPerson.Add(group.Key);
            }

            if (!linkedMags.Any(m => m[mags.Col("court_code")] == crownRows[0][crown.Col("committing_court_code")]))
            {
                wrongCourt.Add(group.Key);
            }

            var flag = crownRows[0][crown.Col("receipt_type")] switch { "T" => "sent_to_crown_court", "S" => "committed_for_sentence", _ => "appeal_lodged" };
            if (!group.All(r => magsByCase[r[1]].Any(m => m[mags.Col(flag)] == "Y")))
            {
                wrongFlag.Add(group.Key);
            }
        }

        wrongPerson.Should().BeEmpty("a Crown Court defendant was a defendant in the linked magistrates' case");
        wrongCourt.Should().BeEmpty("the committing court sent one of the linked cases");
        wrongFlag.Should().BeEmpty("a trial / sentence / appeal receipt stems from a case flagged sent / committed / appealed");
        links.Values("crown_case_id").Distinct().Should().BeEquivalentTo(crownByCase.Keys, "every Crown Court case stems from a magistrates' case");
        links.Rows.GroupBy(r => r[0]).Should().Contain(g => g.Count() >= 2, "several magistrates' cases are rolled into one Crown Court case");
        links.Rows.GroupBy(r => r[1]).Should().Contain(g => g.Count() >= 2, "one magistrates' case is split into several Crown Court cases");
        int People(string dataset, List<string[]> rows) => rows.Select(r => persons[(dataset, r[0])]).Distinct().Count();
        magsByCase.Values.Count(rows => People("magistrates", rows) >= 2).Should().BeGreaterThan(0, "co-defendants share a magistrates' case");
        crownByCase.Values.Count(rows => People("crown_court", rows) >= 2).Should().BeGreaterThan(0, "co-defendants share a Crown Court case");
        var sentCases = magsByCase.Where(g => g.Value.Any(m => m[mags.Col("sent_to_crown_court")] == "Y")).Select(g => g.Key).ToHashSet();
        var trialLinked = links.Rows.Where(r => crownByCase[r[0]][0][crown.Col("receipt_type")] == "T").Select(r => r[1]).ToHashSet();
        trialLinked.Should().BeEquivalentTo(sentCases, "every case sent for trial is received, and only those");
    }

    [Fact]
    public void Population_HasRepeatDefendantsCrossSystemPeopleAndFamilyPartiesWhoOffend()
    {
        var truth = Output.Read(ExtractGenerator.TruthPersonsPath).Rows;
        var byDataset = truth.GroupBy(r => r[0]).ToDictionary(g => g.Key, g => g.Select(r => r[2]).ToList());

        byDataset["magistrates"].GroupBy(p => p).Count(g => g.Count() >= 2).Should().BeGreaterThan(500, "repeat defendants");
        var family = byDataset["family_people"].ToHashSet();
        var criminal = byDataset["magistrates"].ToHashSet();
        family.Count(criminal.Contains).Should().BeGreaterThan(50, "some family court parties also appear in criminal data");
        var prisoners = byDataset["prisons"].ToHashSet();
        prisoners.Count(criminal.Contains).Should().Be(prisoners.Count, "everyone in prison was first dealt with in court");
        byDataset["probation"].ToHashSet().Count(criminal.Contains).Should().Be(byDataset["probation"].Distinct().Count());
    }

    [Fact]
    public async Task Population_HasTwinsAndSkewedSurnames()
    {
        var clean = await GeneratedExtracts.GenerateAsync(new GeneratorOptions { People = ExtractGeneratorFixture.People, Seed = 11, NoiseScale = 0 });
        var people = clean.Dataset(ExtractGenerator.FamilyPeople);
        var truth = clean.Read(ExtractGenerator.TruthPersonsPath).Rows.Where(r => r[0] == "family_people").ToDictionary(r => r[1], r => r[2]);
        int Col(string c) => people.Col(c);

        var twins = people.Rows
            .GroupBy(r => (r[Col("surname")], r[Col("date_of_birth")], r[Col("case_id")]))
            .Count(g => g.Select(r => truth[r[0]]).Distinct().Count() >= 2 && g.Select(r => r[Col("forenames")]).Distinct().Count() >= 2);
        twins.Should().BeGreaterThan(5, "twins share surname, date of birth and address but not forenames");

        var surnames = Output.Dataset(ExtractGenerator.Magistrates).Values("surname").ToList();
        var counts = surnames.GroupBy(s => s).Select(g => g.Count()).OrderByDescending(c => c).ToList();
        ((double)counts[0] / surnames.Count).Should().BeGreaterThan(0.007, "the most common surname is very common");
        counts.Count.Should().BeGreaterThan(1000, "most surnames are rare");
        counts.Count(c => c == 1).Should().BeGreaterThan(100);
    }

    [Fact]
    public void Extracts_DateOfBirthFormatsDifferBySystem()
    {
        var formats = ExtractGenerator.PersonLevelDatasets
            .Select(d => Profiles.Get(d).FindIdentifier(IdentifierKinds.DateOfBirth)!.Format ?? "yyyy-MM-dd")
            .Distinct().ToList();

        formats.Should().Contain(["yyyy-MM-dd", "dd/MM/yyyy", "yyyyMMdd", "d MMM yyyy"]);
    }

    [Fact]
    public async Task GenerateAsync_SubsetOfDatasets_SameRowsAsFullRun()
    {
        var full = await GeneratedExtracts.GenerateAsync(new GeneratorOptions { People = 2000, Seed = 9 });
        var subset = await GeneratedExtracts.GenerateAsync(new GeneratorOptions { People = 2000, Seed = 9, Datasets = ["crown_court", "family_people"] });

        subset.Paths.Should().BeEquivalentTo(["crown_court.csv", "family_people.csv", "truth/persons.csv", "truth/case_links.csv", "truth/identity_errors.csv"]);
        subset.Bytes("crown_court.csv").Should().Equal(full.Bytes("crown_court.csv"));
        subset.Bytes("family_people.csv").Should().Equal(full.Bytes("family_people.csv"));
    }

    [Fact]
    public async Task GenerateAsync_MalformedRows_AreWrittenAndListedInTruth()
    {
        var output = await GeneratedExtracts.GenerateAsync(new GeneratorOptions
        {
            People = 3000, Seed = 4, BadInput = new BadInputOptions { MalformedRowRate = 0.05 },
        });

        var bad = output.Read(ExtractGenerator.TruthBadRowsPath).Rows;
        bad.Should().NotBeEmpty();
        output.Summary.MalformedRows.Should().Be(bad.Count);
        var mags = GeneratedExtracts.Table.ParseRecords(output.Text("magistrates.csv"));
        var width = mags[0].Length;
        var badIds = bad.Where(r => r[0] == "magistrates").Select(r => r[1]).ToHashSet();
        var rows = mags.Skip(1).Count();
        ((double)badIds.Count / rows).Should().BeApproximately(0.05, 0.015);
        foreach (var record in mags.Skip(1).Where(r => !badIds.Contains(r[0])))
        {
            record.Length.Should().Be(width, "only the listed rows are malformed");
        }

        mags.Skip(1).Where(r => badIds.Contains(r[0])).Should().Contain(r => r.Length != width);
    }

    [Fact]
    public async Task GenerateAsync_WrongEncodingAndMissingColumns_AreInjected()
    {
        var output = await GeneratedExtracts.GenerateAsync(new GeneratorOptions
        {
            People = 20_000,
            Seed = 4,
            Datasets = ["magistrates", "prisons"],
            BadInput = new BadInputOptions
            {
                Encodings = new Dictionary<string, ExtractEncoding> { ["magistrates"] = ExtractEncoding.Latin1 },
                MissingColumns = new Dictionary<string, IReadOnlyList<string>> { ["prisons"] = ["birth_date", "reception_date"] },
            },
        });

        var latin1 = output.Bytes("magistrates.csv");
        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        var decode = () => strict.GetString(latin1);
        decode.Should().Throw<DecoderFallbackException>("accented names written as Latin-1 are not valid UTF-8");
        Encoding.Latin1.GetString(latin1).Should().StartWith("row_id,defendant_id");

        var prisons = output.Dataset("prisons");
        prisons.Header.Should().NotContain(["birth_date", "reception_date"]);
        prisons.Header.Length.Should().Be(Profiles.Get("prisons").Columns.Count - 2);
    }

    [Fact]
    public async Task GenerateAsync_Progress_ReportsPeopleUpToTheTotal()
    {
        var reports = new List<int>();
        await GeneratedExtracts.GenerateAsync(new GeneratorOptions { People = 30_000, Seed = 1, Datasets = ["family_cases"], Progress = new SyncProgress(reports.Add) });

        reports.Should().HaveCountGreaterThan(2).And.BeInAscendingOrder();
        reports[^1].Should().Be(30_000);
    }

    private sealed class SyncProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }

    [Fact]
    public async Task GenerateToMemoryAsync_SameOptions_SameBytesAsStreaming()
    {
        var options = new GeneratorOptions { People = 800, Seed = 8 };

        var memory = await new ExtractGenerator().GenerateToMemoryAsync(options, CancellationToken.None);
        var streamed = await GeneratedExtracts.GenerateAsync(options);

        memory.Files.Keys.Should().BeEquivalentTo(streamed.Paths);
        memory.Extract("probation").Should().Equal(streamed.Bytes("probation.csv"));
        memory.Summary.TotalRows.Should().Be(streamed.Summary.TotalRows);
        var prisonsOnly = await new ExtractGenerator().GenerateToMemoryAsync(options with { Datasets = ["prisons"] }, CancellationToken.None);
        var missing = () => prisonsOnly.Extract("probation");
        missing.Should().Throw<KeyNotFoundException>().WithMessage("*'probation'*");
    }

    [Theory]
    [InlineData(2048, 0.0, 0.05)]
    [InlineData(1, 0.3, 1.0)]
    public async Task GenerateAsync_RowOrderWindow_DecidesWhetherFilesRunPersonByPerson(int window, double minAdjacent, double maxAdjacent)
    {
        var output = await GeneratedExtracts.GenerateAsync(new GeneratorOptions { People = 5000, Seed = 2, RowOrderWindow = window, Datasets = ["magistrates"] });
        var rows = output.Dataset("magistrates").Rows;
        var person = output.Read(ExtractGenerator.TruthPersonsPath).Rows.ToDictionary(r => r[1], r => r[2]);

        rows.Select(r => r[0]).Should().Equal(Enumerable.Range(1, rows.Count).Select(i => i.ToString(CultureInfo.InvariantCulture)), "row ids follow file order");
        var adjacent = (double)Enumerable.Range(1, rows.Count - 1).Count(i => person[rows[i][0]] == person[rows[i - 1][0]]) / (rows.Count - 1);
        adjacent.Should().BeInRange(minAdjacent, maxAdjacent);
    }

    [Fact]
    public async Task GenerateAsync_Cancelled_Throws()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var act = () => new ExtractGenerator().GenerateAsync(new GeneratorOptions { People = 1000 }, _ => new MemoryStream(), cts.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public async Task GenerateAsync_NoPeople_ThrowsNamingTheSetting(int people)
    {
        var act = () => new ExtractGenerator().GenerateAsync(new GeneratorOptions { People = people }, _ => new MemoryStream(), CancellationToken.None);

        (await act.Should().ThrowAsync<ArgumentException>()).WithMessage("*People*");
    }

    [Fact]
    public async Task GenerateAsync_UnknownDataset_ThrowsNamingIt()
    {
        var act = () => new ExtractGenerator().GenerateAsync(new GeneratorOptions { Datasets = ["libra"] }, _ => new MemoryStream(), CancellationToken.None);

        (await act.Should().ThrowAsync<ArgumentException>()).WithMessage("*'libra'*");
    }
}
