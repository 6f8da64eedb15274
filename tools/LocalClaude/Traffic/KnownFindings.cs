using System.Text.Json;
using LocalClaude.Protocol;

namespace LocalClaude.Traffic;

/// <summary>A client-breaking finding that is known for a profile (an upstream bug with a tracking link), so replay records it instead of failing.</summary>
public sealed record KnownFinding
{
    public required string Finding { get; init; }
    /// <summary>Profiles it applies to; empty: every profile.</summary>
    public IReadOnlyList<string> Profiles { get; init; } = [];
    /// <summary>Fixtures it applies to; empty: every fixture.</summary>
    public IReadOnlyList<string> Fixtures { get; init; } = [];
    public required string Reason { get; init; }
    public string? Tracking { get; init; }
}

/// <summary><c>fixtures/traffic/known-findings.json</c>.</summary>
public sealed record KnownFindings
{
    public const string FileName = "known-findings.json";

    public IReadOnlyList<KnownFinding> Known { get; init; } = [];

    public static KnownFindings None { get; } = new();

    public KnownFinding? Match(Finding finding, string profile, string fixture) =>
        Known.FirstOrDefault(k => k.Finding == finding.Id
                                  && (k.Profiles.Count == 0 || k.Profiles.Contains(profile))
                                  && (k.Fixtures.Count == 0 || k.Fixtures.Contains(fixture)));

    /// <summary>Reads the file in <paramref name="trafficRoot"/>; no file means nothing is known.</summary>
    public static KnownFindings Load(string trafficRoot)
    {
        var path = Path.Combine(trafficRoot, FileName);
        if (!File.Exists(path)) return None;
        try
        {
            var known = JsonSerializer.Deserialize<KnownFindings>(File.ReadAllBytes(path), FixtureJson.Options)
                        ?? throw new TrafficFixtureException(path, 1, "the file holds JSON null");
            var unknownId = known.Known.FirstOrDefault(k => !FindingCatalog.TryGet(k.Finding, out _) && ReplayFindings.All.All(r => r.Id != k.Finding));
            if (unknownId is not null)
                throw new TrafficFixtureException(path, TrafficFixture.LineOf(path, unknownId.Finding) ?? TrafficFixture.LineOf(path, "finding"),
                    $"'{unknownId.Finding}' is not a finding ID");
            return known;
        }
        catch (JsonException e)
        {
            throw new TrafficFixtureException(path, e.LineNumber is { } l ? (int)l + 1 : null, e.Message.Split(" Path:", 2)[0], e);
        }
    }
}
