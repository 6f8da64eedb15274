namespace LocalClaude.Server;

/// <summary>
/// Which llama-server a run talks to: the profile's own, started by this run (on a fixed or a free port), or one that
/// already runs at a loopback URL. <see cref="ServerUnderTest.OpenAsync"/> is the one path that acts on it.
/// </summary>
public sealed record ServerTarget
{
    /// <summary>Test a server that already runs instead of starting one (conformance, e2e and the test suites read it).</summary>
    public const string UrlVariable = "LOCALCLAUDE_SERVER_URL";
    /// <summary>The key of the server at <see cref="UrlVariable"/> when it is not the profile's API_KEY.</summary>
    public const string ApiKeyVariable = "LOCALCLAUDE_SERVER_API_KEY";

    private ServerTarget() { }

    /// <summary>The running server to attach to; null: start the profile's own.</summary>
    public Uri? AttachUrl { get; private init; }
    /// <summary>The attached server's key; null: the profile's API_KEY.</summary>
    public string? ApiKey { get; private init; }
    /// <summary>A fixed port for a started server; null: a free loopback port.</summary>
    public int? Port { get; private init; }

    public static ServerTarget Start(int? port = null) => new() { Port = port };

    /// <summary>A running server; only loopback addresses, since the suite never sends traffic anywhere else.</summary>
    public static ServerTarget Attach(Uri url, string? apiKey = null)
    {
        if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https"))
            throw new ArgumentException($"server URL '{url}': give an http:// URL, e.g. http://127.0.0.1:8080");
        if (!url.IsLoopback)
            throw new ArgumentException($"server URL '{url}': only a loopback address (127.0.0.0/8, ::1, localhost) may be tested");
        return new() { AttachUrl = url, ApiKey = apiKey };
    }

    /// <summary>A URL given on the command line (and its key), else start the profile's server.</summary>
    public static ServerTarget FromArguments(string? url, string? apiKey) =>
        url is { Length: > 0 } ? Attach(ParseUrl(url), apiKey) : Start();

    /// <summary>As <see cref="FromArguments"/>, falling back to <see cref="UrlVariable"/> and <see cref="ApiKeyVariable"/>.</summary>
    public static ServerTarget FromArgumentsOrEnvironment(string? url, string? apiKey) => FromArguments(
        url ?? Environment.GetEnvironmentVariable(UrlVariable),
        apiKey ?? (Environment.GetEnvironmentVariable(ApiKeyVariable) is { Length: > 0 } key ? key : null));

    private static Uri ParseUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var parsed) ? parsed : throw new ArgumentException($"server URL '{url}' is not a URL");

    public override string ToString() => AttachUrl is { } url ? $"attach {url}" : Port is { } port ? $"start on port {port}" : "start";
}
