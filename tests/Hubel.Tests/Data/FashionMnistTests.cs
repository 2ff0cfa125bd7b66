using Hubel.Data;

namespace Hubel.Tests.Data;

public sealed class FashionMnistTests
{
    [Fact]
    public void Shipped_LoadsAs8000Train2000Test_AllClassesInBoth()
    {
        var (train, test) = FashionMnist.LoadShipped(ShippedData.Directory);
        Assert.Equal(8000, train.Count);
        Assert.Equal(2000, test.Count);
        foreach (var s in new[] { train, test })
        {
            Assert.Equal((1, 28, 28), (s.Channels, s.Height, s.Width));
            Assert.Equal(s.Count * 784, s.Pixels.Length);
            Assert.All(s.Labels, l => Assert.InRange(l, 0, 9));
            Assert.All(s.ClassCounts(), c => Assert.True(c > 0));
            Assert.Equal("Ankle boot", s.ClassNames[9]);
            Assert.Contains(s.Pixels, p => p > 200); // real images, not zeros
        }
    }

    [Fact]
    public void Shipped_SplitIsEveryFifthImage()
    {
        var (train, test) = FashionMnist.LoadShipped(ShippedData.Directory);
        var all = FashionMnist.LoadPair(ShippedData.Directory, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");
        Assert.Equal(all.Image(4).ToArray(), test.Image(0).ToArray());
        Assert.Equal(all.Image(9999).ToArray(), test.Image(1999).ToArray());
        Assert.Equal(all.Image(5).ToArray(), train.Image(4).ToArray());
        Assert.Equal(all.Labels[9], test.Labels[1]);
    }

    [Fact]
    public void ShippedData_IsFound()
    {
        Assert.True(File.Exists(Path.Combine(ShippedData.Directory, "t10k-images-idx3-ubyte.gz")));
        Assert.Equal(8000, FashionMnist.LoadShipped().Train.Count);
    }

    [Fact]
    public void SystemDataset_LoadsFull60000And10000()
    {
        if (!Directory.Exists(FashionMnist.DefaultSystemDirectory))
        {
            // Not installed here: check instead that the error tells the user how to get it.
            var e = Assert.Throws<DirectoryNotFoundException>(() => FashionMnist.Load(FashionMnist.DefaultSystemDirectory));
            Assert.Contains("dataset-fashion-mnist", e.Message);
            TestContext.Current.SendDiagnosticMessage($"{FashionMnist.DefaultSystemDirectory} absent; full-load check skipped.");
            return;
        }
        var (train, test) = FashionMnist.Load(FashionMnist.DefaultSystemDirectory);
        Assert.Equal(60000, train.Count);
        Assert.Equal(10000, test.Count);
        Assert.Equal((28, 28), (train.Height, train.Width));
        Assert.Equal(Enumerable.Repeat(6000, 10), train.ClassCounts());
        Assert.Equal(Enumerable.Repeat(1000, 10), test.ClassCounts());
    }

    [Fact]
    public void MissingDirectoryOrFile_SaysHowToGetData()
    {
        using var dir = new TempDir();
        string missing = dir.File("absent");
        var e = Assert.Throws<DirectoryNotFoundException>(() => FashionMnist.Load(missing));
        Assert.Contains(missing, e.Message);
        Assert.Contains("sudo apt-get install dataset-fashion-mnist", e.Message);
        Assert.Contains("--data", e.Message);

        var f = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(dir.Path));
        Assert.Contains("train-images-idx3-ubyte", f.Message);
        Assert.Contains("dataset-fashion-mnist", f.Message);
    }

    [Fact]
    public void RawFilesAccepted_AndMismatchedCountsRejected()
    {
        using var dir = new TempDir();
        byte[] pixels = new byte[3 * 2 * 2];
        dir.Write("train-images-idx3-ubyte", TempDir.Idx([3, 2, 2], pixels));
        dir.Write("train-labels-idx1-ubyte", TempDir.Idx([3], [0, 5, 9]));
        dir.Write("t10k-images-idx3-ubyte.gz", TempDir.Idx([1, 2, 2], new byte[4]), gzip: true);
        dir.Write("t10k-labels-idx1-ubyte.gz", TempDir.Idx([1], [7]), gzip: true);
        var (train, test) = FashionMnist.Load(dir.Path);
        Assert.Equal([0, 5, 9], train.Labels);
        Assert.Equal(1, test.Count);

        dir.Write("train-labels-idx1-ubyte", TempDir.Idx([2], [0, 5]));
        var e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(dir.Path));
        Assert.Contains("3 images", e.Message);
        Assert.Contains("2 labels", e.Message);

        dir.Write("train-labels-idx1-ubyte", TempDir.Idx([3], [0, 5, 10]));
        e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(dir.Path));
        Assert.Contains("label 2 is 10", e.Message);

        dir.Write("train-labels-idx1-ubyte", TempDir.Idx([3, 1], [0, 5, 9]));
        e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(dir.Path));
        Assert.Contains("rank-1", e.Message);
    }
}
