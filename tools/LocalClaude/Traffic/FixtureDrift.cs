using System.Text.Json;
using System.Text.Json.Nodes;

namespace LocalClaude.Traffic;

/// <summary>One difference between two recordings of the same scenario.</summary>
/// <param name="Area"><c>requests</c>, <c>fields</c>, <c>betas</c>, <c>tools</c>, <c>headers</c> or <c>system</c>.</param>
/// <param name="Change"><c>+</c> new, <c>-</c> gone, <c>~</c> changed.</param>
/// <param name="Where">Which request, e.g. <c>main #1</c>.</param>
/// <param name="Details">For a changed tool definition, its field-level JSON diff (see <see cref="JsonNodeDiff"/>).</param>
public sealed record DriftItem(string Area, char Change, string Where, string What, IReadOnlyList<string>? Details = null)
{
    public override string ToString() =>
        $"{Change} {Area,-8} {Where,-15} {What}" + string.Concat((Details ?? []).Select(d => $"\n      {d}"));
}

/// <summary>What changed between a committed fixture and a new recording: the things that matter when upgrading Claude Code.</summary>
public sealed record FixtureDrift(IReadOnlyList<DriftItem> Items)
{
    /// <summary>Header values worth comparing; the others (request ids, retry counts, timeouts) vary by nature, so only their presence is compared.</summary>
    public static readonly IReadOnlySet<string> StableHeaders = new HashSet<string>(StringComparer.Ordinal)
    {
        "accept", "anthropic-version", "anthropic-dangerous-direct-browser-access", "content-type", "user-agent", "x-app",
        "x-stainless-lang", "x-stainless-package-version", "x-stainless-os", "x-stainless-arch", "x-stainless-runtime",
        "x-stainless-runtime-version",
    };

    public bool IsEmpty => Items.Count == 0;

    public string Render() => IsEmpty
        ? "no drift: same requests, fields, betas, tools and headers"
        : string.Join('\n', Items.Select(i => "  " + i)) + $"\n{Items.Count} difference(s)";

    public static FixtureDrift Compare(TrafficFixture before, TrafficFixture after)
    {
        var items = new List<DriftItem>();
        var oldShapes = Shapes(before);
        var newShapes = Shapes(after);
        var oldSequence = string.Join(", ", oldShapes.Select(s => s.Purpose));
        var newSequence = string.Join(", ", newShapes.Select(s => s.Purpose));
        if (oldSequence != newSequence)
            items.Add(new DriftItem("requests", '~', "session", $"[{oldSequence}] -> [{newSequence}]"));

        foreach (var group in newShapes.Concat(oldShapes).Select(s => s.Key).Distinct())
        {
            var old = oldShapes.FirstOrDefault(s => s.Key == group);
            var now = newShapes.FirstOrDefault(s => s.Key == group);
            if (old is null || now is null) continue;
            var where = group;
            Diff(items, "fields", where, old.Fields, now.Fields);
            Diff(items, "betas", where, old.Betas, now.Betas);
            Diff(items, "system", where, old.System, now.System);
            if (old.SystemChars != now.SystemChars)
                items.Add(new DriftItem("system", '~', where, $"size {old.SystemChars} -> {now.SystemChars} chars ({now.SystemChars - old.SystemChars:+0;-0})"));
            Diff(items, "headers", where, old.Headers.Keys.ToHashSet(), now.Headers.Keys.ToHashSet());
            foreach (var header in old.Headers.Keys.Intersect(now.Headers.Keys).Where(StableHeaders.Contains).Order(StringComparer.Ordinal))
                if (old.Headers[header] != now.Headers[header])
                    items.Add(new DriftItem("headers", '~', where, $"{header}: '{old.Headers[header]}' -> '{now.Headers[header]}'"));
            Diff(items, "tools", where, old.Tools.Keys.ToHashSet(), now.Tools.Keys.ToHashSet());
            foreach (var tool in old.Tools.Keys.Intersect(now.Tools.Keys).Order(StringComparer.Ordinal))
                if (!JsonNode.DeepEquals(old.Tools[tool], now.Tools[tool]))
                    items.Add(new DriftItem("tools", '~', where, $"{tool}: definition changed", JsonNodeDiff.Lines(old.Tools[tool], now.Tools[tool])));
        }
        return new FixtureDrift(items);
    }

    private static void Diff(List<DriftItem> items, string area, string where, IReadOnlySet<string> old, IReadOnlySet<string> now)
    {
        foreach (var added in now.Except(old).Order(StringComparer.Ordinal)) items.Add(new DriftItem(area, '+', where, added));
        foreach (var removed in old.Except(now).Order(StringComparer.Ordinal)) items.Add(new DriftItem(area, '-', where, removed));
    }

    /// <summary>The comparable outline of one request.</summary>
    private sealed record RequestShape(
        string Key,
        string Purpose,
        IReadOnlySet<string> Fields,
        IReadOnlySet<string> Betas,
        IReadOnlySet<string> System,
        int SystemChars,
        IReadOnlyDictionary<string, string> Headers,
        IReadOnlyDictionary<string, JsonObject> Tools);

    private static List<RequestShape> Shapes(TrafficFixture fixture)
    {
        var counters = new Dictionary<string, int>();
        var shapes = new List<RequestShape>();
        foreach (var exchange in fixture.Exchanges)
        {
            var r = exchange.Request;
            counters[r.Purpose] = counters.GetValueOrDefault(r.Purpose) + 1;
            var fields = new SortedSet<string>(StringComparer.Ordinal);
            var system = new SortedSet<string>(StringComparer.Ordinal);
            var tools = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
            var systemChars = 0;
            if (r.Body is JsonObject body)
            {
                foreach (var (name, value) in body)
                {
                    switch (name)
                    {
                        case "messages":
                            CollectMessages(value, fields);
                            break;
                        case "tools":
                            fields.Add("tools: array");
                            foreach (var tool in (value as JsonArray ?? []).OfType<JsonObject>())
                                tools[tool["name"]?.ToString() ?? "?"] = tool;
                            break;
                        case "system":
                            fields.Add($"system: {Kind(value)}");
                            CollectSystem(value, system);
                            systemChars = SystemChars(value);
                            break;
                        default:
                            Collect(name, value, fields);
                            break;
                    }
                }
            }
            var betas = r.Headers.TryGetValue("anthropic-beta", out var beta)
                ? beta.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal)
                : [];
            shapes.Add(new RequestShape($"{r.Purpose} #{counters[r.Purpose]}", r.Purpose, fields, betas, system, systemChars, r.Headers, tools));
        }
        return shapes;
    }

    /// <summary>Field paths with their JSON kinds (and the value of small enumeration-like strings), e.g. <c>thinking.type = "adaptive"</c>.</summary>
    private static void Collect(string path, JsonNode? node, SortedSet<string> fields)
    {
        switch (node)
        {
            case JsonObject obj:
                fields.Add($"{path}: object");
                foreach (var (name, value) in obj) Collect($"{path}.{name}", value, fields);
                break;
            case JsonArray array:
                fields.Add($"{path}: array");
                foreach (var item in array) Collect($"{path}[]", item, fields);
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String && path.EndsWith("type", StringComparison.Ordinal):
                fields.Add($"{path} = \"{value}\"");
                break;
            default:
                fields.Add($"{path}: {Kind(node)}");
                break;
        }
    }

    private static void CollectMessages(JsonNode? messages, SortedSet<string> fields)
    {
        fields.Add($"messages: {Kind(messages)}");
        foreach (var message in (messages as JsonArray ?? []).OfType<JsonObject>())
        {
            fields.Add($"messages[].role = \"{message["role"]}\"");
            foreach (var key in message.Select(kv => kv.Key)) fields.Add($"messages[].{key}");
            foreach (var block in (message["content"] as JsonArray ?? []).OfType<JsonObject>())
            {
                fields.Add($"messages[].content[].type = \"{block["type"]}\"");
                foreach (var key in block.Select(kv => kv.Key)) fields.Add($"messages[].content[].{key}");
            }
        }
    }

    private static void CollectSystem(JsonNode? system, SortedSet<string> outline)
    {
        var blocks = (system as JsonArray ?? []).OfType<JsonObject>().ToArray();
        outline.Add($"{blocks.Length} system blocks");
        for (var i = 0; i < blocks.Length; i++)
        {
            var text = blocks[i]["text"]?.ToString() ?? "";
            // The first words say what a block is (billing header, identity line, main prompt) without its varying details.
            var head = string.Join(' ', text.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Take(3));
            outline.Add($"system[{i}]: \"{head}…\"{(blocks[i]["cache_control"] is null ? "" : " + cache_control")}");
        }
    }

    /// <summary>The system prompt's length in characters (a string, or the sum of its text blocks).</summary>
    private static int SystemChars(JsonNode? system) => system switch
    {
        JsonArray blocks => blocks.OfType<JsonObject>().Sum(b => b["text"]?.ToString().Length ?? 0),
        JsonValue text when text.GetValueKind() == JsonValueKind.String => text.GetValue<string>().Length,
        _ => 0,
    };

    private static string Kind(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        _ => node.GetValueKind().ToString().ToLowerInvariant(),
    };
}
