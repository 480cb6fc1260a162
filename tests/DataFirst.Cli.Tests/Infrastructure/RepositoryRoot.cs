namespace DataFirst.Cli.Tests.Infrastructure;

/// <summary>The repository root: the nearest folder above the test binaries holding DataFirst.Serverless.sln.</summary>
internal static class RepositoryRoot
{
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DataFirst.Serverless.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"DataFirst.Serverless.sln not found above {AppContext.BaseDirectory}.");
    }
}
