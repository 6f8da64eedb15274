namespace LocalClaude.Tests.Protocol;

/// <summary>A read-only stream that hands out at most <c>maxChunk</c> bytes per read, like a slow network.</summary>
internal sealed class TrickleStream(byte[] bytes, int maxChunk) : Stream
{
    private int _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => bytes.Length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var length = Math.Min(Math.Min(count, maxChunk), bytes.Length - _position);
        Array.Copy(bytes, _position, buffer, offset, length);
        _position += length;
        return length;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await Task.Yield();
        var length = Math.Min(Math.Min(buffer.Length, maxChunk), bytes.Length - _position);
        bytes.AsMemory(_position, length).CopyTo(buffer);
        _position += length;
        return length;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
