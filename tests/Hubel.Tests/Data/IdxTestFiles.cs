using System.IO.Compression;

namespace Hubel.Tests.Data;

/// <summary>A temporary folder for hand-made IDX files, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("hubel-data-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes <paramref name="bytes"/> as-is, or gzip-compressed.</summary>
    public string Write(string name, byte[] bytes, bool gzip = false)
    {
        string path = File(name);
        if (gzip) System.IO.File.WriteAllBytes(path, Gzip(bytes));
        else System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    public static byte[] Gzip(byte[] bytes)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest)) gz.Write(bytes);
        return ms.ToArray();
    }

    /// <summary>Builds IDX bytes by hand so that tests can break any part of them.</summary>
    public static byte[] Idx(uint[] dims, byte[] data, byte dtype = 0x08, byte magic0 = 0, byte magic1 = 0, int? rank = null)
    {
        var bytes = new List<byte> { magic0, magic1, dtype, (byte)(rank ?? dims.Length) };
        foreach (uint d in dims)
            bytes.AddRange([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        bytes.AddRange(data);
        return [.. bytes];
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
