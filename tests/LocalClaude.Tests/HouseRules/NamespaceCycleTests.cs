using System.Reflection;

namespace LocalClaude.Tests.HouseRules;

/// <summary>
/// The library's folders import one way (profile → server → requests → findings → result file → report/gate):
/// no two folders import each other, directly or round a longer loop, and each imports only folders left of it.
/// </summary>
public sealed class NamespaceCycleTests
{
    private static readonly Assembly Library = typeof(LocalClaudeContext).Assembly;

    /// <summary>
    /// The folders from left to right. A folder may import only folders in earlier rows; folders in one row are
    /// siblings that import none of each other. Protocol comes first: it knows no process, file or server.
    /// Results (the result-file schema, metric and kind names, the producer seam) sits left of the producers so they
    /// never import Pipeline or Reporting; Reporting only reads result files; Pipeline and the CLI wire producers.
    /// </summary>
    internal static readonly string[][] FolderOrder =
    [
        ["Protocol"],
        ["Infrastructure"],
        ["Gguf", "Profiles"],
        ["LocalClaude"],
        ["Provisioning"],
        ["Results"],
        ["Server"],
        ["Terminal"],
        ["Client"],
        ["Relay"],
        ["Sandbox"],
        ["ScriptedControls"],
        ["Conformance", "Traffic", "Agents"],
        ["Reporting"],
        ["Pipeline", "Schemas"],
        ["Diagnostics", "Launcher"],
    ];

    /// <summary>LocalClaude.X.Y → X (a folder and its subfolders are one node); the root namespace is its own node.</summary>
    internal static string? Folder(string ns) =>
        ns == "LocalClaude" ? "LocalClaude"
        : ns.StartsWith("LocalClaude.", StringComparison.Ordinal) ? ns["LocalClaude.".Length..].Split('.')[0]
        : null;

    private static readonly NamespaceGraph Graph = new(Library, Folder);

    [Fact]
    public void The_library_has_no_namespace_cycle()
    {
        var cycles = Graph.Cycles().Select(c => $"{{{string.Join(", ", c)}}}: {Graph.Describe(c)}").ToList();
        (cycles.Count == 0).Should().BeTrue("namespace cycles in tools/LocalClaude:\n" + string.Join('\n', cycles));
    }

    [Fact]
    public void Each_folder_imports_only_folders_left_of_it()
    {
        var rank = FolderOrder.SelectMany((row, i) => row.Select(f => (f, i))).ToDictionary(x => x.f, x => x.i);
        var wrong = new List<string>();
        foreach (var ((from, to), edge) in Graph.Edges)
        {
            if (!rank.TryGetValue(from, out var f) || !rank.TryGetValue(to, out var t))
            {
                wrong.Add($"{from} -> {to}: a folder missing from {nameof(FolderOrder)} ({edge.Using} uses {edge.Used})");
                continue;
            }
            if (t < f) continue;
            wrong.Add($"{from} -> {to} ({string.Join(", ", Graph.UsedTypes[(from, to)].Order(StringComparer.Ordinal).Take(3))})");
        }
        (wrong.Count == 0).Should().BeTrue("imports against the folder order (see FolderOrder):\n" + string.Join('\n', wrong.Order(StringComparer.Ordinal)));
    }

    [Theory]
    [InlineData("Protocol", "")]
    // Results reads the findings catalog (which severities block) from Protocol, the pure layer under everything.
    [InlineData("Results", "Infrastructure,Profiles,Protocol")]
    [InlineData("Reporting", "Infrastructure,Results")]
    public void A_lower_layer_imports_only_what_it_must(string folder, string allowed)
    {
        var extra = Graph.From(folder).Where(e => !allowed.Split(',', StringSplitOptions.RemoveEmptyEntries).Contains(e.To))
            .Select(e => $"{e.From} -> {e.To} ({e.Using} uses {e.Used})").ToList();
        (extra.Count == 0).Should().BeTrue($"{folder} imports more than [{allowed}]:\n" + string.Join('\n', extra));
    }

    [Fact]
    public void Every_library_folder_is_in_the_order()
    {
        var folders = Library.GetTypes().Select(t => t.Namespace).OfType<string>().Select(Folder).OfType<string>().ToHashSet();
        FolderOrder.SelectMany(r => r).Where(folders.Contains).Order(StringComparer.Ordinal).Should().Equal(folders.Order(StringComparer.Ordinal));
        folders.Order(StringComparer.Ordinal).Should().Equal(FolderOrder.SelectMany(r => r).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_graph_sees_edges_through_fully_qualified_names_lambdas_and_async_bodies()
    {
        var graph = new NamespaceGraph(typeof(NamespaceCycleTests).Assembly, SampleNode);
        var cycle = graph.Cycles().Should().ContainSingle().Which;
        cycle.Should().Equal(["Left", "Right"]);
        graph.Describe(cycle).Should().Be("Left -> Right (LocalClaude.Tests.HouseRules.CycleSample.Left.UsesRightInALambda uses LocalClaude.Tests.HouseRules.CycleSample.Right.Target); " +
                     "Right -> Left (LocalClaude.Tests.HouseRules.CycleSample.Right.UsesLeftAfterAwait uses LocalClaude.Tests.HouseRules.CycleSample.Left.Target)");
        graph.Edges.Keys.Order().Should().Equal([("Acyclic", "Right"), ("Left", "Right"), ("Right", "Left")]);
    }

    private static string? SampleNode(string ns) =>
        ns.StartsWith("LocalClaude.Tests.HouseRules.CycleSample.", StringComparison.Ordinal) ? ns.Split('.')[^1] : null;
}
