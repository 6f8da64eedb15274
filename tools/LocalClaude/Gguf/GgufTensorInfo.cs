namespace LocalClaude.Gguf;

/// <summary>A tensor as described in a GGUF file's header. <see cref="Offset"/> is relative to the data section.</summary>
public sealed record GgufTensorInfo(string Name, IReadOnlyList<long> Shape, GgmlType Type, ulong Offset)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    public long ByteSize => GgmlTypeLayout.Of(Type).BytesFor(ElementCount);
}
