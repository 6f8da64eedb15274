using System.Text;

namespace LocalClaude.Profiles;

/// <summary>
/// The profiles file: INI sections, one per profile, <c>KEY = value</c> lines, <c>#</c> or <c>;</c> comments.
/// Strict on purpose: an unknown key is an error (a typo must not silently drop a setting).
/// </summary>
public sealed class ModelsConf
{
    public const string EnvironmentVariable = "LOCALCLAUDE_MODELS_CONF";
    public const string DefaultProfileName = "cpu-tiny";

    public static readonly IReadOnlyDictionary<string, string> Keys = new Dictionary<string, string>
    {
        ["DESCRIPTION"] = "one line shown in reports",
        ["MODEL"] = "gguf path (relative to this file), or a generated model: default, default-thinking",
        ["CTX"] = "context size in tokens (split across NP slots)",
        ["NP"] = "parallel slots (-np)",
        ["NGL"] = "GPU layers (-ngl): a number or auto",
        ["CHAT_TEMPLATE_FILE"] = "jinja template file (--chat-template-file)",
        ["MMPROJ"] = "multimodal projector gguf (--mmproj)",
        ["ALIAS"] = "model name the server reports (--alias); default: the profile name",
        ["EXTRA_ARGS"] = "more llama-server arguments, shell-quoted (e.g. --jinja)",
        ["LLAMA_SERVER"] = "build: default, npm:VERSION, a name registered by setup --llama-server, or a path",
        ["TOOLS"] = "expected capability: yes/no",
        ["THINKING"] = "expected capability: yes/no",
        ["VISION"] = "expected capability: yes/no",
        ["SYNTHETIC"] = "random weights (yes/no): checks use prefill routes, tasks are expected to fail",
        ["MAX_OUTPUT_TOKENS"] = "generation cap (-n) for models that rarely stop",
        ["API_KEY"] = "key the server requires (--api-key); default localclaude",
    };

    private ModelsConf(string path, IReadOnlyList<ModelProfile> profiles)
    {
        Path = path;
        Profiles = profiles;
    }

    public string Path { get; }
    public IReadOnlyList<ModelProfile> Profiles { get; }

    public ModelProfile Get(string name) =>
        Profiles.FirstOrDefault(p => p.Name == name)
        ?? throw new ModelsConfException(Path, 0, null,
            $"no profile named '{name}' (profiles: {string.Join(", ", Profiles.Select(p => p.Name))})");

    /// <summary>LOCALCLAUDE_MODELS_CONF if set, else the repository's models.conf.</summary>
    public static string DefaultPath(string repoModelsConf) =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } p ? System.IO.Path.GetFullPath(p) : repoModelsConf;

    public static ModelsConf Load(string path)
    {
        if (!File.Exists(path)) throw new ModelsConfException(path, 0, null, "file not found");
        return Parse(File.ReadAllText(path), System.IO.Path.GetFullPath(path));
    }

    public static ModelsConf Parse(string text, string path)
    {
        var profiles = new List<ModelProfile>();
        string? section = null;
        int sectionLine = 0;
        var values = new Dictionary<string, (string Value, int Line)>();

        void Flush()
        {
            if (section is null) return;
            profiles.Add(Build(path, section, sectionLine, values));
            values = new();
        }

        var lines = text.Replace("\r\n", "\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var lineNo = i + 1;
            var line = StripComment(lines[i]).Trim();
            if (line.Length == 0) continue;
            if (line.StartsWith('['))
            {
                if (!line.EndsWith(']'))
                    throw new ModelsConfException(path, lineNo, null, $"section header '{line}' has no closing ']'");
                Flush();
                section = line[1..^1].Trim();
                sectionLine = lineNo;
                if (!IsValidName(section))
                    throw new ModelsConfException(path, lineNo, null, $"profile name '{section}' must be letters, digits, '-', '_' or '.'");
                if (profiles.Any(p => p.Name == section))
                    throw new ModelsConfException(path, lineNo, null, $"profile '{section}' is defined twice");
                continue;
            }
            var eq = line.IndexOf('=');
            if (eq <= 0) throw new ModelsConfException(path, lineNo, null, $"expected KEY = value, got '{line}'");
            var key = line[..eq].Trim();
            var value = line[(eq + 1)..].Trim();
            if (section is null) throw new ModelsConfException(path, lineNo, key, "key outside a [profile] section");
            if (!Keys.ContainsKey(key))
                throw new ModelsConfException(path, lineNo, key, $"unknown key (known: {string.Join(", ", Keys.Keys)})");
            if (values.ContainsKey(key)) throw new ModelsConfException(path, lineNo, key, "key given twice in this profile");
            values[key] = (Unquote(value), lineNo);
        }
        Flush();
        if (profiles.Count == 0) throw new ModelsConfException(path, 1, null, "no [profile] sections");
        return new ModelsConf(path, profiles);
    }

    private static ModelProfile Build(string path, string name, int line, Dictionary<string, (string Value, int Line)> v)
    {
        string? Str(string key) => v.TryGetValue(key, out var x) && x.Value.Length > 0 ? x.Value : null;
        int Int(string key, int fallback, int min)
        {
            if (!v.TryGetValue(key, out var x)) return fallback;
            if (!int.TryParse(x.Value, out var n) || n < min)
                throw new ModelsConfException(path, x.Line, key, $"'{x.Value}' is not a whole number >= {min}");
            return n;
        }
        bool Bool(string key, bool fallback)
        {
            if (!v.TryGetValue(key, out var x)) return fallback;
            return x.Value.ToLowerInvariant() switch
            {
                "yes" or "true" or "1" or "on" => true,
                "no" or "false" or "0" or "off" => false,
                _ => throw new ModelsConfException(path, x.Line, key, $"'{x.Value}' is not yes or no"),
            };
        }

        var model = Str("MODEL") ?? throw new ModelsConfException(path, line, "MODEL", $"profile '{name}' has no MODEL");
        GpuLayers ngl = new(0);
        if (v.TryGetValue("NGL", out var nglRaw))
        {
            if (nglRaw.Value.Equals("auto", StringComparison.OrdinalIgnoreCase)) ngl = GpuLayers.Auto;
            else if (int.TryParse(nglRaw.Value, out var n) && n >= 0) ngl = new GpuLayers(n);
            else throw new ModelsConfException(path, nglRaw.Line, "NGL", $"'{nglRaw.Value}' is not a number of layers or 'auto'");
        }
        IReadOnlyList<string> extra = [];
        if (v.TryGetValue("EXTRA_ARGS", out var extraRaw))
        {
            try { extra = ShellWords.Split(extraRaw.Value); }
            catch (FormatException e) { throw new ModelsConfException(path, extraRaw.Line, "EXTRA_ARGS", e.Message); }
        }
        int? maxOut = v.ContainsKey("MAX_OUTPUT_TOKENS") ? Int("MAX_OUTPUT_TOKENS", 0, 1) : null;
        var np = Int("NP", 1, 1);
        var ctx = Int("CTX", 32768, 256);

        return new ModelProfile
        {
            Name = name,
            Description = Str("DESCRIPTION"),
            Model = model,
            ContextSize = ctx,
            ParallelSlots = np,
            GpuLayers = ngl,
            ChatTemplateFile = Str("CHAT_TEMPLATE_FILE"),
            MultimodalProjector = Str("MMPROJ"),
            Alias = Str("ALIAS"),
            ExtraArgs = extra,
            LlamaServer = Str("LLAMA_SERVER") ?? "default",
            Capabilities = new ProfileCapabilities(Bool("TOOLS", true), Bool("THINKING", false), Bool("VISION", false)),
            Synthetic = Bool("SYNTHETIC", false),
            MaxOutputTokens = maxOut,
            ApiKey = Str("API_KEY") ?? "localclaude",
            Location = new ConfLocation(path, line),
            KeyLines = v.ToDictionary(kv => kv.Key, kv => kv.Value.Line),
        };
    }

    private static bool IsValidName(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    // A comment starts a line, or follows whitespace (so '#' inside a value like a URL fragment survives).
    private static string StripComment(string line)
    {
        var trimmed = line.TrimStart();
        if (trimmed.StartsWith('#') || trimmed.StartsWith(';')) return "";
        for (var i = 1; i < line.Length; i++)
            if (line[i] == '#' && char.IsWhiteSpace(line[i - 1]) && !InsideQuotes(line, i))
                return line[..i];
        return line;
    }

    private static bool InsideQuotes(string line, int index)
    {
        var single = false; var dbl = false;
        for (var i = 0; i < index; i++)
        {
            if (line[i] == '\'' && !dbl) single = !single;
            else if (line[i] == '"' && !single) dbl = !dbl;
        }
        return single || dbl;
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && value[0] == '"' && value[^1] == '"' && !value[1..^1].Contains('"') ? value[1..^1] : value;
}

/// <summary>Splits a command-line string like a POSIX shell (quotes and backslashes, no expansion).</summary>
public static class ShellWords
{
    public static IReadOnlyList<string> Split(string text)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                if (inWord) { words.Add(current.ToString()); current.Clear(); inWord = false; }
                continue;
            }
            inWord = true;
            if (c == '\'')
            {
                var end = text.IndexOf('\'', i + 1);
                if (end < 0) throw new FormatException("unterminated ' quote");
                current.Append(text, i + 1, end - i - 1);
                i = end;
            }
            else if (c == '"')
            {
                i++;
                for (; i < text.Length && text[i] != '"'; i++)
                {
                    if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\' or '$' or '`') i++;
                    current.Append(text[i]);
                }
                if (i >= text.Length) throw new FormatException("unterminated \" quote");
            }
            else if (c == '\\' && i + 1 < text.Length) current.Append(text[++i]);
            else current.Append(c);
        }
        if (inWord) words.Add(current.ToString());
        return words;
    }
}
