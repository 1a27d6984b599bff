namespace AlchemyTypes.FunctionalTests.TestUtilities;

/// <summary>Starts a server installed by <c>npm ci --prefix tests</c> with the machine's Node.js.</summary>
internal static class NodeServer
{
    public static string HowToInstall(string package)
        => $"The {package} test server comes from npm: install Node.js 20 or later and run `npm ci --prefix tests` in the repository root. "
            + TestEnvironment.HowToRunEverything;

    public static ServerProcess Start(string name, string package, string scriptRelativeToPackage, IEnumerable<string> arguments)
    {
        var script = Path.Combine(TestEnvironment.NodeModules, package, scriptRelativeToPackage);
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"{script} is missing. {HowToInstall(package)}");
        }

        try
        {
            return ServerProcess.Start(name, "node", [script, .. arguments], TestEnvironment.RepositoryRoot);
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException($"{ex.Message}. {HowToInstall(package)}", ex);
        }
    }
}
