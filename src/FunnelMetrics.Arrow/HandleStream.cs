using Microsoft.Win32.SafeHandles;

namespace FunnelMetrics.Arrow;

/// <summary>
/// A read-only, seekable stream over a shared file handle, reading at its own position (<see cref="RandomAccess"/>): the
/// reader's workers each read the one file opened, so a snapshot renamed over the path meanwhile cannot mix in.
/// </summary>
internal sealed class HandleStream(SafeFileHandle handle) : Stream
{
    private readonly long _length = RandomAccess.GetLength(handle);
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A position is 0 or more.");
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = RandomAccess.Read(handle, buffer, _position);
        _position += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await RandomAccess.ReadAsync(handle, buffer, _position, cancellationToken).ConfigureAwait(false);
        _position += read;
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => _length + offset,
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException("A snapshot is read, not written, through this stream.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("A snapshot is read, not written, through this stream.");
}
