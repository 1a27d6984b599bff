namespace AlchemyTypes.FunctionalTests.Browser;

/// <summary>Browser tests run one at a time: each starts a Chromium and the sample app, which is a lot for a 2-core machine.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection
{
    public const string Name = "Browser";
}
