using Hubel.Data;

namespace Hubel.Tests.Data;

public sealed class IdxFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] Seq(int n) => [.. Enumerable.Range(0, n).Select(i => (byte)(i * 7))];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WriteThenRead_RoundTrips(bool gzip)
    {
        string path = _dir.File(gzip ? "a.gz" : "a");
        IdxFile.Write(path, [3, 2, 4], Seq(24), gzip);
        var idx = IdxFile.Read(path);
        Assert.Equal([3, 2, 4], idx.Dims);
        Assert.Equal(Seq(24), idx.Data);
        Assert.Equal(3, idx.Rank);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void HandMadeFiles_Read_RawAndGzip(bool gzip)
    {
        var path = _dir.Write("labels", TempDir.Idx([5], [0, 1, 2, 9, 4]), gzip);
        var idx = IdxFile.Read(path);
        Assert.Equal([5], idx.Dims);
        Assert.Equal([0, 1, 2, 9, 4], idx.Data);
    }

    [Fact]
    public void GzipIsDetectedByMagic_NotByExtension()
    {
        // A gzip file without .gz, and a raw file with .gz, both read correctly.
        var zipped = _dir.Write("plain-name", TempDir.Idx([2, 2], [1, 2, 3, 4]), gzip: true);
        var raw = _dir.Write("looks-zipped.gz", TempDir.Idx([2, 2], [1, 2, 3, 4]));
        Assert.Equal([1, 2, 3, 4], IdxFile.Read(zipped).Data);
        Assert.Equal([1, 2, 3, 4], IdxFile.Read(raw).Data);
    }

    [Fact]
    public void RankFour_IsAccepted()
    {
        var path = _dir.Write("r4", TempDir.Idx([1, 2, 1, 2], [1, 2, 3, 4]));
        Assert.Equal([1, 2, 1, 2], IdxFile.Read(path).Dims);
    }

    [Fact]
    public void MissingFile_ThrowsFileNotFound_NamingPath()
    {
        string path = _dir.File("nope");
        var e = Assert.Throws<FileNotFoundException>(() => IdxFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Equal(path, e.FileName);
    }

    private InvalidDataException Bad(byte[] bytes, bool gzip = false, string name = "bad")
    {
        var path = _dir.Write(name, bytes, gzip);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));
        Assert.Contains(path, e.Message);
        return e;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EmptyOrTruncatedHeader_IsRejected(bool gzip)
    {
        Assert.Contains("shorter than the 4-byte IDX header", Bad([], gzip).Message);
        Assert.Contains("shorter than the 4-byte IDX header", Bad([0, 0, 8], gzip).Message);
        // Rank 3 needs 16 header bytes; give 10.
        var e = Bad([0, 0, 8, 3, 0, 0, 0, 2, 0, 0], gzip);
        Assert.Contains("10 bytes, shorter than the 16-byte IDX header", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedData_SaysExpectedVsActual(bool gzip)
    {
        var e = Bad(TempDir.Idx([3, 4], Seq(10)), gzip);
        Assert.Contains("shorter", e.Message);
        Assert.Contains("expected 12 bytes, got 10", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ExtraData_SaysExpectedVsActual(bool gzip)
    {
        var e = Bad(TempDir.Idx([3, 4], Seq(15)), gzip);
        Assert.Contains("longer", e.Message);
        Assert.Contains("expected 12 bytes, got 15", e.Message);
    }

    [Fact]
    public void BadMagic_IsRejected()
    {
        var e = Bad(TempDir.Idx([2], [1, 2], magic0: 0x50, magic1: 0x4b));
        Assert.Contains("bad IDX magic", e.Message);
        Assert.Contains("0x50 0x4B", e.Message);
    }

    [Theory]
    [InlineData(0x0D, "float32")]
    [InlineData(0x0C, "int32")]
    [InlineData(0x42, "not a valid IDX dtype")]
    public void WrongDType_NamesTheCode(byte dtype, string name)
    {
        var e = Bad(TempDir.Idx([2], [1, 2], dtype: dtype));
        Assert.Contains($"dtype code 0x{dtype:X2}", e.Message);
        Assert.Contains(name, e.Message);
        Assert.Contains("0x08", e.Message);
    }

    [Fact]
    public void RankZeroAndRankFive_AreRejected()
    {
        Assert.Contains("rank 0", Bad(TempDir.Idx([], [1, 2])).Message);
        Assert.Contains("rank 5", Bad(TempDir.Idx([1, 1, 1, 1, 1], [1])).Message);
    }

    [Fact]
    public void ZeroDimension_IsRejected()
    {
        var e = Bad(TempDir.Idx([3, 0, 2], []));
        Assert.Contains("dimension 1 is 0", e.Message);
    }

    [Theory]
    [InlineData(new uint[] { 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF })] // overflows even a long
    [InlineData(new uint[] { 65536, 65536 })]                                  // 2^32: too many for one array
    [InlineData(new uint[] { 0x80000000 })]                                    // one dimension above int.MaxValue
    public void HugeDimensions_AreRejectedWithoutAllocating(uint[] dims)
    {
        var e = Bad(TempDir.Idx(dims, [1, 2, 3]));
        Assert.Contains("more elements than fit in one array", e.Message);
    }

    [Fact]
    public void ClaimedSizeLargerThanFile_IsRejectedBeforeAllocating()
    {
        // 1 GB claimed, 3 bytes present: the raw length check must fire first.
        var e = Bad(TempDir.Idx([1024, 1024, 1024], [1, 2, 3]));
        Assert.Contains("expected 1073741824 bytes, got 3", e.Message);
    }

    [Fact]
    public void CorruptGzip_IsRejected()
    {
        var gz = TempDir.Gzip(TempDir.Idx([100], Seq(100)));
        for (int i = 10; i < gz.Length - 8; i++) gz[i] ^= 0x5A; // scramble the deflate body, keep the magic
        var e = Bad(gz);
        Assert.Contains("gzip", e.Message);
    }

    [Fact]
    public void TruncatedGzip_IsRejected()
    {
        var gz = TempDir.Gzip(TempDir.Idx([2000], Seq(2000)));
        var e = Bad(gz[..(gz.Length / 2)]);
        Assert.Contains("gzip", e.Message);
    }

    [Fact]
    public void GzipMagicOnly_IsRejected()
    {
        var e = Bad([0x1f, 0x8b]);
        Assert.Contains("gzip", e.Message);
    }

    [Fact]
    public void Write_ValidatesArguments()
    {
        string path = _dir.File("w");
        Assert.Throws<ArgumentException>(() => IdxFile.Write(path, [2, 2], Seq(3)));
        Assert.Throws<ArgumentException>(() => IdxFile.Write(path, [], []));
        Assert.Throws<ArgumentException>(() => IdxFile.Write(path, [0], []));
    }
}
