namespace DataFirst.Cli.Tests.Infrastructure;

public sealed class FunctionGlueTests
{
    private static readonly string FunctionsFolder = Path.Combine(RepositoryRoot.Find(), "functions", "DataFirst.Functions");

    [Fact]
    public void Measure_EveryFunctionOfTheApp_IsAtMostFifteenLinesOfGlue()
    {
        var functions = Directory.EnumerateFiles(FunctionsFolder, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => FunctionGlueChecker.Measure(Path.GetFileName(f), File.ReadAllText(f)))
            .ToList();

        // The orchestrator, 11 activities, the blob trigger and two HTTP functions.
        functions.Should().HaveCountGreaterThanOrEqualTo(15);
        functions.Should().OnlyContain(f => f.Lines <= FunctionGlueChecker.MaxBodyLines, "each [Function] is a thin adapter over Core");
    }

    [Fact]
    public void Measure_BlockAndExpressionBodies_CountsNonBlankLines()
    {
        const string text = """
            [Function(nameof(A))]
            public async Task A([BlobTrigger("x/{share}/_run.json")] string s, CancellationToken ct)
            {
                var x = "}";

                // a comment
                await Task.Yield();
            }

            [Function(B.Name)]
            public Task<int> B([ActivityTrigger] int input) =>
                Task.FromResult(input);
            """;

        var bodies = FunctionGlueChecker.Measure("t.cs", text);

        bodies.Select(b => (b.Name, b.Lines)).Should().Equal(("nameof(A)", 2), ("B.Name", 2));
    }

    [Fact]
    public void Measure_SixteenLineFunction_ExceedsTheLimit()
    {
        var body = string.Join("\n", Enumerable.Range(0, 16).Select(i => $"    var v{i} = {i};"));
        var text = $"[Function(\"Long\")]\npublic void Long()\n{{\n{body}\n}}\n";

        FunctionGlueChecker.Measure("t.cs", text).Single().Lines.Should().BeGreaterThan(FunctionGlueChecker.MaxBodyLines);
    }
}
