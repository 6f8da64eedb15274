using System.IO.Compression;
using System.Text;
using LocalClaude.Protocol;

namespace LocalClaude.Tests.Protocol;

/// <summary>The validate command's contract: unrecognised (2), bad (1), clean (0), and what kind of input it was.</summary>
public sealed class ProtocolFileValidatorTests
{
    [Theory]
    [InlineData("valid/text-basic.sse", ProtocolInputKind.SseStream, ValidationOutcome.Clean, 0)]
    [InlineData("broken/llamacpp-thinking-overlap.sse", ProtocolInputKind.SseStream, ValidationOutcome.Bad, 1)]
    [InlineData("broken/llamacpp-stop-sequence.sse", ProtocolInputKind.SseStream, ValidationOutcome.Clean, 0)]
    [InlineData("broken/empty-stream.sse", ProtocolInputKind.SseStream, ValidationOutcome.Bad, 1)]
    [InlineData("bodies/valid/message-text.json", ProtocolInputKind.MessageBody, ValidationOutcome.Clean, 0)]
    [InlineData("bodies/valid/error-invalid-request.json", ProtocolInputKind.ErrorBody, ValidationOutcome.Clean, 0)]
    [InlineData("bodies/broken/message-truncated-json.json", ProtocolInputKind.MalformedJson, ValidationOutcome.Bad, 1)]
    [InlineData("bodies/broken/llamacpp-400-exceed-context.http", ProtocolInputKind.ErrorBody, ValidationOutcome.Clean, 0)]
    [InlineData("bodies/valid/http-200-stream.http", ProtocolInputKind.SseStream, ValidationOutcome.Clean, 0)]
    public void File_kind_and_outcome(string fixture, ProtocolInputKind kind, ValidationOutcome outcome, int exitCode)
    {
        var report = ProtocolFileValidator.ValidateFile(StreamFixtures.PathOf(fixture));

        report.Kind.Should().Be(kind);
        report.Outcome.Should().Be(outcome);
        report.ExitCode.Should().Be(exitCode);
        if (kind != ProtocolInputKind.MalformedJson)
        {
            report.Problem.Should().BeNull();
        }
    }

    [Fact]
    public void A_capture_gives_the_status_and_the_error_details()
    {
        var report = ProtocolFileValidator.ValidateFile(StreamFixtures.PathOf("bodies/broken/llamacpp-500-malformed-json.http"));

        report.FromHttpCapture.Should().BeTrue();
        report.HttpStatus.Should().Be(500);
        report.Error.Should().NotBeNull();
        report.Error.IsOpenAiShaped.Should().BeTrue();
        report.Error.ErrorType.Should().Be("server_error");
        report.Error.ErrorMessage.Should().StartWith("[json.exception.parse_error.101]");
    }

    [Fact]
    public void Chunked_capture_decodes_to_the_same_stream()
    {
        var plain = ProtocolFileValidator.ValidateFile(StreamFixtures.PathOf("bodies/valid/http-200-stream.http"));
        var chunked = ProtocolFileValidator.ValidateFile(StreamFixtures.PathOf("bodies/valid/http-200-stream-chunked.http"));

        chunked.Kind.Should().Be(ProtocolInputKind.SseStream);
        chunked.Stream!.EventCount.Should().Be(plain.Stream!.EventCount);
        chunked.Message!.Text.Should().Be("Hello!");
    }

    [Fact]
    public void Gzip_encoded_capture_is_decoded()
    {
        var body = File.ReadAllBytes(StreamFixtures.PathOf("bodies/valid/message-text.json"));
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(body);
        }

        byte[] capture = [.. "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n\r\n"u8, .. compressed.ToArray()];

        var report = ProtocolFileValidator.ValidateBytes(capture, "gzip capture");

        report.Kind.Should().Be(ProtocolInputKind.MessageBody);
        report.Outcome.Should().Be(ValidationOutcome.Clean);
        report.Message!.Text.Should().Be("Hi! My name is Claude.");
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   \n\n", "whitespace")]
    [InlineData("hello world\n", "neither JSON nor an event stream")]
    [InlineData("{\"hello\": 1}", "neither a message nor an error")]
    [InlineData("[1, 2, 3]", "neither a message nor an error")]
    [InlineData("HTTP/1.1 abc nope\r\n\r\n", "malformed status line")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n", "not closed by a blank line")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "chunk")]
    public void Unrecognisable_input_exits_2_with_a_reason(string content, string reasonPart)
    {
        var report = ProtocolFileValidator.ValidateBytes(Encoding.UTF8.GetBytes(content), "input");

        report.Kind.Should().Be(ProtocolInputKind.Unrecognised);
        report.Outcome.Should().Be(ValidationOutcome.Unrecognised);
        report.ExitCode.Should().Be(2);
        report.Problem.Should().Contain(reasonPart);
        report.Headline.Should().Contain("not recognised");
    }

    [Fact]
    public void Binary_input_is_unrecognised()
    {
        var report = ProtocolFileValidator.ValidateBytes([0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00], "archive.gz");

        report.Outcome.Should().Be(ValidationOutcome.Unrecognised);
    }

    [Fact]
    public async Task Missing_file_is_unrecognised_not_an_exception()
    {
        var path = Path.Combine(Path.GetTempPath(), $"localclaude-missing-{Guid.NewGuid():N}.sse");

        var report = await ProtocolFileValidator.ValidateFileAsync(path, TestContext.Current.CancellationToken);

        report.Outcome.Should().Be(ValidationOutcome.Unrecognised);
        report.Source.Should().Be(path);
        report.Problem.Should().Contain("cannot read the file");
        ProtocolFileValidator.ValidateFile(path).ExitCode.Should().Be(2);
    }

    [Fact]
    public async Task Async_and_sync_file_validation_agree()
    {
        var path = StreamFixtures.PathOf("broken/llamacpp-thinking-overlap.sse");

        var sync = ProtocolFileValidator.ValidateFile(path);
        var async = await ProtocolFileValidator.ValidateFileAsync(path, TestContext.Current.CancellationToken);

        async.Findings.Should().Equal(sync.Findings);
        async.Headline.Should().Be(sync.Headline);
        sync.Headline.Should().Contain("SseStream: bad: 1 client-break, 2 deviation");
    }
}
