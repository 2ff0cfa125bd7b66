namespace Hubel.Imaging;

/// <summary>A read-only stream over a byte array whose position can never move past the end. StbImageSharp skips
/// JPEG segments with Seek and detects the end of data by position == length; a corrupt segment length that skips
/// beyond the end therefore made it loop forever looking for the next marker (found by fuzzing; see
/// docs/ROBUSTNESS.md). Clamping the position makes that end-of-data test true, so the decoder fails instead.</summary>
internal sealed class BoundedReadStream(byte[] data) : Stream
{
    private long _position;

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => data.Length;

    public override long Position
    {
        get => _position;
        set => _position = Math.Clamp(value, 0, data.Length);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = (int)Math.Min(buffer.Length, data.Length - _position);
        data.AsSpan((int)_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override int ReadByte() => _position < data.Length ? data[_position++] : -1;

    public override long Seek(long offset, SeekOrigin origin)
    {
        long from = origin switch { SeekOrigin.Begin => 0, SeekOrigin.Current => _position, _ => data.Length };
        // Saturate rather than overflow: a seek by a huge corrupt length just lands at the end.
        Position = offset > 0 && from > long.MaxValue - offset ? data.Length : from + offset;
        return _position;
    }

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException("read-only");
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("read-only");
}
