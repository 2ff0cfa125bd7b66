using System.Text;
using Hubel.Tensors;

namespace Hubel.Fuzz;

/// <summary>AFL-style havoc mutations without coverage feedback: bit and byte flips, interesting integers at
/// random offsets (little- and big-endian, since safetensors and IDX differ), chunk deletion, duplication and
/// splicing, truncation, and tokens of the formats (JSON keys, dtype names, PNG/JPEG chunk names).</summary>
internal sealed class Mutator(ulong seed)
{
    private readonly Rng _rng = new(seed);

    private static readonly long[] Interesting = [0, 1, -1, 7, 8, 16, 32, 64, 127, 128, 255, 256, 1000, 1024, 4096, 32767, 32768, 65535, 65536,
        int.MaxValue, int.MinValue, (long)int.MaxValue + 1, uint.MaxValue, 100L << 20, long.MaxValue, long.MinValue];

    private static readonly byte[][] Tokens = new[]
    {
        "\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"__metadata__\"", "\"F32\"", "\"F64\"", "\"F16\"", "\"BF16\"", "\"I64\"", "\"BOOL\"",
        "\"F8_E4M3\"", "\"U64\"", "\"X9\"", "[]", "[0,0]", "[-1]", "[4294967296]", "{}", "null", "1e309", "-0", "\\u0000", "\"a\":1,\"a\":2",
        "IHDR", "IDAT", "IEND", "PLTE", "tRNS", "\xff\xd8\xff\xe0", "\xff\xc0", "\xff\xc4", "\xff\xda", "\xff\xd9", "\x1f\x8b\x08", "\0\0\x08\x03",
    }.Select(s => Encoding.Latin1.GetBytes(s)).ToArray();

    public byte[] Mutate(byte[] input, byte[]? other)
    {
        var b = new List<byte>(input);
        int rounds = 1 << (1 + _rng.NextInt(4));   // 2..16 stacked mutations, as AFL's havoc stage does
        for (int r = 0; r < rounds; r++) MutateOnce(b, other);
        if (b.Count > 1 << 20) b.RemoveRange(1 << 20, b.Count - (1 << 20));   // inputs stay small; readers must bound themselves
        return [.. b];
    }

    private void MutateOnce(List<byte> b, byte[]? other)
    {
        int Pos(int width = 1) => b.Count <= width ? 0 : _rng.NextInt(b.Count - width + 1);
        int Biased() => _rng.NextDouble() < 0.6 ? Math.Min(Pos(), _rng.NextInt(Math.Max(1, Math.Min(b.Count, 256)))) : Pos();
        switch (_rng.NextInt(11))
        {
            case 0 when b.Count > 0: b[Biased()] ^= (byte)(1 << _rng.NextInt(8)); break;
            case 1 when b.Count > 0: b[Biased()] = (byte)_rng.NextInt(256); break;
            case 2 when b.Count > 0: { int p = Biased(); b[p] = (byte)(b[p] + _rng.NextInt(71) - 35); break; }
            case 3 when b.Count >= 8:
            {
                long v = Interesting[_rng.NextInt(Interesting.Length)];
                int width = 1 << _rng.NextInt(4), p = Math.Min(Biased(), b.Count - width);
                var bytes = BitConverter.GetBytes(v);
                for (int i = 0; i < width; i++) b[p + i] = _rng.NextInt(2) == 0 ? bytes[i] : bytes[width - 1 - i];
                break;
            }
            case 4 when b.Count > 1: { int p = Pos(), n = 1 + _rng.NextInt(Math.Min(b.Count - p, 64)); b.RemoveRange(p, Math.Min(n, b.Count - p)); break; }
            case 5 when b.Count > 1: { int p = Pos(), n = 1 + _rng.NextInt(Math.Min(b.Count - p, 64)); b.InsertRange(Pos(), b.GetRange(p, Math.Min(n, b.Count - p))); break; }
            case 6 when _rng.NextInt(4) == 0: Truncate(b); break;   // rarer: a truncated file stops most paths early
            case 7: { var t = Tokens[_rng.NextInt(Tokens.Length)]; int p = Biased(); if (_rng.NextInt(2) == 0) b.InsertRange(p, t); else Overwrite(b, p, t); break; }
            case 8 when b.Count > 0: { int p = Biased(); if (b[p] is >= (byte)'0' and <= (byte)'9') b[p] = (byte)('0' + _rng.NextInt(10)); else b.Insert(p, (byte)('0' + _rng.NextInt(10))); break; }
            case 9 when other is { Length: > 0 }:   // splice: a chunk of another corpus file
            {
                int p = _rng.NextInt(other.Length), n = 1 + _rng.NextInt(Math.Min(other.Length - p, 256));
                Overwrite(b, Pos(), other.AsSpan(p, n).ToArray());
                break;
            }
            default: b.Add((byte)_rng.NextInt(256)); break;
        }
    }

    private void Truncate(List<byte> b)
    {
        if (b.Count == 0) return;
        int keep = _rng.NextInt(b.Count);
        b.RemoveRange(keep, b.Count - keep);
    }

    private static void Overwrite(List<byte> b, int at, byte[] with)
    {
        for (int i = 0; i < with.Length; i++)
            if (at + i < b.Count) b[at + i] = with[i]; else b.Add(with[i]);
    }
}
