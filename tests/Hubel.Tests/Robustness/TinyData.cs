using Hubel.Data;

namespace Hubel.Tests.Robustness;

/// <summary>A small Fashion-MNIST folder (the first images of the shipped set, written as raw IDX files) so CLI runs in
/// these tests take a second or two per epoch instead of minutes: `hubel train --dataset fashion-mnist --data DIR`.</summary>
internal static class TinyData
{
    public static string Create(string dir, int train = 512, int test = 128)
    {
        Directory.CreateDirectory(dir);
        var images = IdxFile.Read(Directory.GetFiles(ShippedData.Directory, "t10k-images-idx3-ubyte*")[0]);
        var labels = IdxFile.Read(Directory.GetFiles(ShippedData.Directory, "t10k-labels-idx1-ubyte*")[0]);
        int per = 28 * 28;
        IdxFile.Write(Path.Combine(dir, "train-images-idx3-ubyte"), [train, 28, 28], images.Data.AsSpan(0, train * per));
        IdxFile.Write(Path.Combine(dir, "train-labels-idx1-ubyte"), [train], labels.Data.AsSpan(0, train));
        IdxFile.Write(Path.Combine(dir, "t10k-images-idx3-ubyte"), [test, 28, 28], images.Data.AsSpan(train * per, test * per));
        IdxFile.Write(Path.Combine(dir, "t10k-labels-idx1-ubyte"), [test], labels.Data.AsSpan(train, test));
        return dir;
    }
}
