using LocalClaude.Infrastructure;
using LocalClaude.Profiles;

namespace LocalClaude.Tests.Profiles;

public sealed class ModelsConfTests
{
    [Fact]
    public void The_repository_models_conf_loads_with_the_cpu_profiles()
    {
        var conf = ModelsConf.Load(RepoLayout.Find().ModelsConf);
        var tiny = conf.Get(ModelsConf.DefaultProfileName);
        tiny.Model.Should().Be("default");
        tiny.Synthetic.Should().BeTrue();
        tiny.ParallelSlots.Should().Be(1);
        tiny.ExtraArgs.Should().Contain("--jinja");
        conf.Get("cpu-tiny-np2").ParallelSlots.Should().Be(2);
        conf.Get("cpu-tiny-thinking").Capabilities.Thinking.Should().BeTrue();
    }

    [Fact]
    public void Values_are_parsed_with_types_quotes_and_comments()
    {
        var conf = ModelsConf.Parse("""
            # comment
            [gpu]
            MODEL = ~/models/x.gguf   # trailing comment
            CTX = 131072
            NP = 2
            NGL = auto
            EXTRA_ARGS = --jinja --chat-template-kwargs '{"enable_thinking": false}' -fa on
            TOOLS = yes
            THINKING = no
            VISION = true
            ALIAS = "glm flash"
            """, "/etc/m.conf");
        var p = conf.Get("gpu");
        p.Model.Should().Be("~/models/x.gguf");
        p.ContextSize.Should().Be(131072);
        p.GpuLayers.IsAuto.Should().BeTrue();
        p.ExtraArgs.Should().Equal(["--jinja", "--chat-template-kwargs", """{"enable_thinking": false}""", "-fa", "on"]);
        p.Capabilities.Should().Be(new ProfileCapabilities(true, false, true));
        p.ServedModelName.Should().Be("glm flash");
        p.Location.Should().Be(new ConfLocation("/etc/m.conf", 2));
        p.LocationOf("CTX").Should().Be(new ConfLocation("/etc/m.conf", 4));
    }

    [Theory]
    [InlineData("[a]\nMODEL = m\nCTXX = 5\n", 3, "CTXX", "unknown key")]
    [InlineData("[a]\nMODEL = m\nCTX = lots\n", 3, "CTX", "not a whole number")]
    [InlineData("[a]\nMODEL = m\nNP = 0\n", 3, "NP", "not a whole number >= 1")]
    [InlineData("MODEL = m\n[a]\n", 1, "MODEL", "outside a [profile] section")]
    [InlineData("[a]\nMODEL = m\n\n[a]\nMODEL = n\n", 4, null, "defined twice")]
    [InlineData("[a]\nCTX = 4096\n", 1, "MODEL", "has no MODEL")]
    [InlineData("[a]\nMODEL = m\nEXTRA_ARGS = --x 'open\n", 3, "EXTRA_ARGS", "unterminated")]
    [InlineData("[a]\nMODEL = m\nNGL = many\n", 3, "NGL", "'auto'")]
    [InlineData("[a]\nMODEL = m\nTOOLS = maybe\n", 3, "TOOLS", "yes or no")]
    [InlineData("[a\nMODEL = m\n", 1, null, "no closing ']'")]
    [InlineData("[a]\nMODEL = m\nCTX 5\n", 3, null, "expected KEY = value")]
    [InlineData("[a b]\nMODEL = m\n", 1, null, "profile name")]
    [InlineData("[a]\nMODEL = m\nCTX = 1\nCTX = 2\n", 4, "CTX", "twice")]
    [InlineData("# only comments\n", 1, null, "no [profile] sections")]
    public void A_broken_file_names_file_line_and_key(string text, int line, string? key, string problem)
    {
        var e = FluentActions.Invoking(() => ModelsConf.Parse(text, "/x/models.conf")).Should().ThrowExactly<ModelsConfException>().Which;
        e.File.Should().Be("/x/models.conf");
        e.Line.Should().Be(line);
        e.Key.Should().Be(key);
        e.Message.Should().Contain(problem);
        e.Message.Should().StartWith($"/x/models.conf:{line}: ");
    }

    [Fact]
    public void An_unknown_profile_lists_the_known_ones()
    {
        var conf = ModelsConf.Parse("[a]\nMODEL = m\n[b]\nMODEL = n\n", "/x/models.conf");
        var e = FluentActions.Invoking(() => conf.Get("c")).Should().ThrowExactly<ModelsConfException>().Which;
        e.Message.Should().Contain("a, b");
    }

    [Theory]
    [InlineData("a b  c", new[] { "a", "b", "c" })]
    [InlineData("--x 'a b' \"c \\\" d\" e\\ f", new[] { "--x", "a b", "c \" d", "e f" })]
    [InlineData("", new string[0])]
    public void Shell_words_split_like_a_shell(string text, string[] expected) =>
        ShellWords.Split(text).Should().Equal(expected);
}
