using LocalClaude.Tests.Support;

namespace LocalClaude.Conformance.Tests;

/// <summary>One llama-server for the profile under test (LOCALCLAUDE_PROFILE), shared by every test class in this collection.</summary>
[CollectionDefinition(Name)]
public sealed class ProfileServerCollection : ICollectionFixture<LlamaServerFixture>
{
    public const string Name = "profile server";
}

/// <summary>The CPU profile whose template opens &lt;think&gt;: how thinking is exercised where the profile under test has none.</summary>
public sealed class ThinkingTemplateServerFixture : LlamaServerFixture
{
    public const string ThinkingProfile = "cpu-tiny-thinking";
    protected override string ProfileName => ThinkingProfile;
}

[CollectionDefinition(Name)]
public sealed class ThinkingTemplateServerCollection : ICollectionFixture<ThinkingTemplateServerFixture>
{
    public const string Name = "thinking template server";
}
