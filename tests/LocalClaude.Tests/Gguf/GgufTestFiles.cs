using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using LocalClaude.Gguf;

namespace LocalClaude.Tests.Gguf;

/// <summary>Helpers shared by the GGUF tests: in-memory write/read and hand-built bytes.</summary>
internal static class GgufTestFiles
{
    public const string LlamaSourceVariable = "LOCALCLAUDE_LLAMA_SRC";

    public static byte[] Write(GgufWriter writer)
    {
        using var stream = new MemoryStream();
        writer.WriteTo(stream);
        return stream.ToArray();
    }

    public static GgufReader Read(byte[] bytes, string name = "memory.gguf") => new(new MemoryStream(bytes), name);

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>
    /// The llama.cpp source tree named by <see cref="LlamaSourceVariable"/>, else the one setup provisioned;
    /// without either the test is skipped (and fails in CI).
    /// </summary>
    public static string LlamaSourceOrSkip()
    {
        var dir = Environment.GetEnvironmentVariable(LlamaSourceVariable);
        if (string.IsNullOrEmpty(dir))
        {
            dir = Path.Combine(LocalClaude.Infrastructure.LocalClaudeHome.Default().Sources,
                $"node-llama-cpp-{LocalClaude.Provisioning.LlamaCppSource.PinnedNpmVersion}", "llama.cpp");
            LocalClaude.Tests.Support.MissingPart.Require(Directory.Exists(dir),
                $"no llama.cpp source tree at {dir} (or set {LlamaSourceVariable}): these tests need models/ggml-vocab-qwen2.gguf");
        }

        File.Exists(Path.Combine(dir, "models", "ggml-vocab-qwen2.gguf")).Should().BeTrue($"{LlamaSourceVariable}={dir} has no models/ggml-vocab-qwen2.gguf");
        return dir;
    }
}

/// <summary>Little-endian byte builder for GGUF files written by hand, independent of <see cref="GgufWriter"/>.</summary>
internal sealed class GgufBytes
{
    private readonly List<byte> _bytes = [];

    public int Length => _bytes.Count;

    public GgufBytes Raw(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public GgufBytes U32(uint value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return Raw(b);
    }

    public GgufBytes U64(ulong value)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        return Raw(b);
    }

    public GgufBytes F32(float value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(b, value);
        return Raw(b);
    }

    public GgufBytes Str(string value)
    {
        var b = Encoding.UTF8.GetBytes(value);
        return U64((ulong)b.Length).Raw(b);
    }

    /// <summary>Magic, version 3 and the two counts.</summary>
    public static GgufBytes Header(ulong tensors, ulong keys) =>
        new GgufBytes().Raw("GGUF"u8.ToArray()).U32(3).U64(tensors).U64(keys);

    public GgufBytes PadTo(int alignment)
    {
        while (_bytes.Count % alignment != 0)
        {
            _bytes.Add(0);
        }

        return this;
    }

    public byte[] ToArray() => [.. _bytes];
}
