using System.Buffers.Binary;
using System.Text;

namespace Hubel.Tests.Robustness;

/// <summary>Hand-made bad files for the reader cases.</summary>
internal static class Files
{
    /// <summary>A safetensors file: the 8-byte length, <paramref name="header"/> as given (so tests can break the JSON),
    /// then <paramref name="dataBytes"/> bytes of data.</summary>
    public static byte[] SafeTensors(string header, int dataBytes, byte fill = 0)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var file = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)json.Length);
        json.CopyTo(file, 8);
        file.AsSpan(8 + json.Length).Fill(fill);
        return file;
    }

    public static string Entry(string name, string dtype, string shape, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";

    /// <summary>Raw IDX bytes with any field settable.</summary>
    public static byte[] Idx(uint[] dims, int dataBytes, byte dtype = 0x08, byte magic0 = 0, int? rank = null)
    {
        var b = new byte[4 + 4 * dims.Length + dataBytes];
        b[0] = magic0;
        b[2] = dtype;
        b[3] = (byte)(rank ?? dims.Length);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4 + 4 * i), dims[i]);
        return b;
    }

    public static byte[] Gzip(byte[] bytes) => Hubel.Tests.Data.TempDir.Gzip(bytes);
}
