using System.Buffers.Binary;

namespace Hubel.Imaging;

/// <summary>Checks a PNG's chunk lengths against the file before the decoder sees it. StbImageSharp allocates the
/// length a chunk header claims before reading it, so a 75-byte PNG whose IDAT claimed 908 MB made it allocate
/// 1.7 GB (found by fuzzing; see docs/ROBUSTNESS.md).</summary>
internal static class PngChunks
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Null when every chunk (length, type, data, CRC) fits in the file or the bytes are not a PNG;
    /// otherwise what is wrong.</summary>
    public static string? Problem(ReadOnlySpan<byte> file)
    {
        if (!file.StartsWith(Signature)) return null;
        long at = Signature.Length;
        while (at + 8 <= file.Length)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(file.Slice((int)at, 4));
            string type = string.Concat(file.Slice((int)at + 4, 4).ToArray().Select(b => b is >= 32 and < 127 ? (char)b : '?'));
            if (length > int.MaxValue || at + 12 + length > file.Length)
                return $"PNG chunk '{type}' at byte {at} claims {length} bytes of data but only {Math.Max(0, file.Length - at - 12)} remain";
            if (type == "IEND") return null;
            at += 12 + length;
        }
        return null;   // a missing IEND is the decoder's to report (stb stops at the end of the data)
    }
}
