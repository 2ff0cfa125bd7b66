using System.Buffers.Binary;
using System.IO.Compression;

namespace Hubel.Data;

/// <summary>The contents of an IDX file: its dimensions (outermost first) and its unsigned-byte elements, row-major.</summary>
/// <param name="Dims">Dimension sizes, each at least 1; e.g. [10000, 28, 28] for an image file.</param>
/// <param name="Data">The elements; its length is the product of <paramref name="Dims"/>.</param>
public sealed record IdxArray(int[] Dims, byte[] Data)
{
    /// <summary>The rank (number of dimensions).</summary>
    public int Rank => Dims.Length;
}

/// <summary>Reads and writes IDX files, the format MNIST and Fashion-MNIST ship in:
/// two zero bytes, a dtype byte (only 0x08, unsigned byte, is supported), a rank byte,
/// one big-endian uint32 per dimension, then the elements. Files may be gzip-compressed.</summary>
public static class IdxFile
{
    /// <summary>The largest rank accepted; real IDX files use 1 (labels) or 3 (images).</summary>
    public const int MaxRank = 4;

    private const byte UnsignedByteDType = 0x08;

    /// <summary>Reads an IDX file, raw or gzip-compressed (recognised by its 1f 8b magic, not its name).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a well-formed unsigned-byte IDX file; the message says why.</exception>
    public static IdxArray Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"IDX file not found: {path}", path);

        using var file = File.OpenRead(path);
        return Read(file, path);
    }

    /// <summary>Reads an IDX file, raw or gzip-compressed, from a seekable stream (from its current position to its end); <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The data is not a well-formed unsigned-byte IDX file; the message says why.</exception>
    public static IdxArray Read(Stream file, string source)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!file.CanSeek) throw new ArgumentException("the stream must be seekable (its length bounds what a header may claim)", nameof(file));
        string path = source;
        bool gzip = IsGzip(file);
        using Stream stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
        try
        {
            return ReadCore(stream, path, gzip, file.Length - file.Position);
        }
        catch (Exception e) when (gzip && e is InvalidDataException or IOException && e.Message.IndexOf(path, StringComparison.Ordinal) < 0)
        {
            // GZipStream's own errors do not say which file was bad.
            throw new InvalidDataException($"{path}: corrupt or truncated gzip data ({e.Message})", e);
        }
    }

    /// <summary>Writes an unsigned-byte IDX file, optionally gzip-compressed. Mainly for tests and for exporting subsets.</summary>
    public static void Write(string path, ReadOnlySpan<int> dims, ReadOnlySpan<byte> data, bool gzip = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (dims.Length is < 1 or > MaxRank)
            throw new ArgumentException($"rank must be 1..{MaxRank}, got {dims.Length}", nameof(dims));
        long count = 1;
        foreach (int d in dims)
        {
            if (d < 1) throw new ArgumentException($"dimensions must be positive, got {d}", nameof(dims));
            count *= d; // at most 4 factors below 2^31 each would overflow long, so check as we go
            if (count > Array.MaxLength) throw new ArgumentException("element count too large", nameof(dims));
        }
        if (count != data.Length)
            throw new ArgumentException($"data has {data.Length} bytes but the dimensions need {count}", nameof(data));

        Span<byte> header = stackalloc byte[4 + 4 * MaxRank];
        header[..4].Clear();
        header[2] = UnsignedByteDType;
        header[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++)
            BinaryPrimitives.WriteUInt32BigEndian(header.Slice(4 + 4 * i, 4), (uint)dims[i]);

        // Atomically (temporary file, fsync, rename): a failed or interrupted write never leaves a torn IDX file behind.
        byte[] head = header[..(4 + 4 * dims.Length)].ToArray(), body = data.ToArray();
        Serialization.AtomicFile.Write(path, file =>
        {
            if (!gzip) { file.Write(head); file.Write(body); return; }
            using var stream = new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true);   // AtomicFile owns the file stream
            stream.Write(head);
            stream.Write(body);
        });
    }

    private static bool IsGzip(Stream file)
    {
        Span<byte> magic = stackalloc byte[2];
        long start = file.Position;
        int n = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        file.Position = start;
        return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }

    /// <summary>Deflate cannot expand data by more than 1032:1, so a gzip file of n bytes holds at most this many times n.</summary>
    private const long MaxDeflateRatio = 1032;

    /// <param name="fileLength">The file length, so that a file too short for what its header claims is caught
    /// before allocating it (for gzip: before allocating more than the compressed data could possibly expand to).</param>
    private static IdxArray ReadCore(Stream stream, string path, bool gzip, long fileLength)
    {
        string what = gzip ? "decompressed data" : "file";
        // .NET's GZipStream reports a cut-off stream as a plain end of data, so say what that may mean.
        string cut = gzip ? " (the gzip file may be truncated or corrupt)" : "";
        Span<byte> header = stackalloc byte[4 + 4 * MaxRank];
        int got = stream.ReadAtLeast(header[..4], 4, throwOnEndOfStream: false);
        if (got < 4)
            throw new InvalidDataException($"{path}: {what} is {got} bytes, shorter than the 4-byte IDX header{cut}");
        if (header[0] != 0 || header[1] != 0)
            throw new InvalidDataException(
                $"{path}: bad IDX magic: first two bytes are 0x{header[0]:X2} 0x{header[1]:X2}, expected 0x00 0x00 (is this an IDX file?)");
        if (header[2] != UnsignedByteDType)
            throw new InvalidDataException(
                $"{path}: unsupported IDX dtype code 0x{header[2]:X2} ({DTypeName(header[2])}); only 0x08 (unsigned byte) is supported");
        int rank = header[3];
        if (rank is 0 or > MaxRank)
            throw new InvalidDataException($"{path}: IDX rank {rank} is not supported; expected 1..{MaxRank}");

        int headerBytes = 4 + 4 * rank;
        got = stream.ReadAtLeast(header[4..headerBytes], 4 * rank, throwOnEndOfStream: false);
        if (got < 4 * rank)
            throw new InvalidDataException(
                $"{path}: {what} is {4 + got} bytes, shorter than the {headerBytes}-byte IDX header of a rank-{rank} file{cut}");

        var dims = new int[rank];
        long expected = 1;
        for (int i = 0; i < rank; i++)
        {
            uint d = BinaryPrimitives.ReadUInt32BigEndian(header.Slice(4 + 4 * i, 4));
            if (d == 0)
                throw new InvalidDataException($"{path}: IDX dimension {i} is 0; every dimension must be at least 1");
            // Checked: four uint32 factors can overflow even a long.
            try { expected = checked(expected * d); }
            catch (OverflowException) { expected = long.MaxValue; }
            if (d > int.MaxValue || expected > Array.MaxLength)
                throw new InvalidDataException(
                    $"{path}: IDX dimensions {FormatDims(header, rank)} give more elements than fit in one array (max {Array.MaxLength})");
            dims[i] = (int)d;
        }

        if (!gzip && fileLength - headerBytes != expected)
            throw new InvalidDataException(
                $"{path}: IDX data is {(fileLength - headerBytes < expected ? "shorter" : "longer")} than dimensions {FormatDims(header, rank)} say: expected {expected} bytes, got {fileLength - headerBytes}");
        if (gzip && expected > fileLength * MaxDeflateRatio)
            throw new InvalidDataException(
                $"{path}: IDX dimensions {FormatDims(header, rank)} need {expected} bytes, more than a {fileLength}-byte gzip file can hold (at most {MaxDeflateRatio}:1); the file is truncated or corrupt");

        var data = new byte[expected];
        int read = stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
        if (read < expected)
            throw new InvalidDataException(
                $"{path}: IDX {what} is shorter than dimensions {FormatDims(header, rank)} say: expected {expected} bytes, got {read}{cut}");
        long extra = CountRemaining(stream);
        if (extra > 0)
            throw new InvalidDataException(
                $"{path}: IDX {what} is longer than dimensions {FormatDims(header, rank)} say: expected {expected} bytes, got {expected + extra}");
        return new IdxArray(dims, data);
    }

    // Reading to the end is bounded: the raw case was length-checked already, and a gzip stream is finite.
    private static long CountRemaining(Stream stream)
    {
        Span<byte> scratch = stackalloc byte[4096];
        long total = 0;
        int n;
        while ((n = stream.Read(scratch)) > 0) total += n;
        return total;
    }

    private static string FormatDims(ReadOnlySpan<byte> header, int rank)
    {
        var parts = new string[rank];
        for (int i = 0; i < rank; i++)
            parts[i] = BinaryPrimitives.ReadUInt32BigEndian(header.Slice(4 + 4 * i, 4)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return "[" + string.Join(", ", parts) + "]";
    }

    private static string DTypeName(byte code) => code switch
    {
        0x08 => "unsigned byte",
        0x09 => "signed byte",
        0x0B => "int16",
        0x0C => "int32",
        0x0D => "float32",
        0x0E => "float64",
        _ => "not a valid IDX dtype",
    };
}
