namespace Hubel.Data;

/// <summary>A training set and a test set.</summary>
/// <param name="Train">Images to fit on.</param>
/// <param name="Test">Held-out images to evaluate on.</param>
public sealed record TrainTestSplit(ImageSet Train, ImageSet Test);

/// <summary>Loads Fashion-MNIST (Zalando Research, MIT licence): 28×28 grey images of 10 clothing classes,
/// stored as IDX files.</summary>
public static class FashionMnist
{
    /// <summary>Where the Debian/Ubuntu package <c>dataset-fashion-mnist</c> installs the full dataset.</summary>
    public const string DefaultSystemDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Images in the shipped 10,000-image set that go to its test split: those with i % TestEvery == TestEvery - 1.</summary>
    public const int TestEvery = 5;

    /// <summary>Class names, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        Array.AsReadOnly(["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]);

    /// <summary>Image side length in pixels.</summary>
    public const int ImageSize = 28;

    private const string HowToGet =
        "Install the full Fashion-MNIST with `sudo apt-get install dataset-fashion-mnist` (it goes to " +
        DefaultSystemDirectory + "), or pass `--data DIR` pointing at a folder with train-images-idx3-ubyte.gz, " +
        "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz (gzip or raw).";

    /// <summary>Loads the full dataset (60,000 training and 10,000 test images) from <paramref name="directory"/>,
    /// which holds train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte,
    /// each either gzip-compressed with a .gz suffix or raw.</summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">One of the four files is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or images and labels disagree.</exception>
    public static TrainTestSplit Load(string directory)
    {
        RequireDirectory(directory);
        var train = LoadPair(directory, "train-images-idx3-ubyte", "train-labels-idx1-ubyte");
        var test = LoadPair(directory, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");
        if (train.Height != test.Height || train.Width != test.Width)
            throw new InvalidDataException(
                $"{directory}: training images are {train.Height}x{train.Width} but test images are {test.Height}x{test.Width}");
        return new TrainTestSplit(train, test);
    }

    /// <summary>Loads the small dataset shipped in the repository (the 10,000 Fashion-MNIST test images) and splits it
    /// deterministically: image i goes to the test split when i % 5 == 4, else to training, giving 8,000 / 2,000.</summary>
    /// <param name="directory">The folder holding t10k-images-idx3-ubyte(.gz) and t10k-labels-idx1-ubyte(.gz);
    /// usually <see cref="ShippedData.Directory"/>.</param>
    public static TrainTestSplit LoadShipped(string directory)
    {
        RequireDirectory(directory);
        var all = LoadPair(directory, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");
        // Interleaved rather than a head/tail cut so that both splits sample the whole file evenly.
        var train = new List<int>(all.Count);
        var test = new List<int>(all.Count / TestEvery + 1);
        for (int i = 0; i < all.Count; i++)
            (i % TestEvery == TestEvery - 1 ? test : train).Add(i);
        return new TrainTestSplit(all.Subset([.. train]), all.Subset([.. test]));
    }

    /// <summary>Loads the shipped dataset from <see cref="ShippedData.Directory"/>.</summary>
    public static TrainTestSplit LoadShipped() => LoadShipped(ShippedData.Directory);

    /// <summary>Reads one images file and its labels file and checks that they belong together.</summary>
    internal static ImageSet LoadPair(string directory, string imagesName, string labelsName)
    {
        string imagesPath = Resolve(directory, imagesName);
        string labelsPath = Resolve(directory, labelsName);
        var images = IdxFile.Read(imagesPath);
        var labels = IdxFile.Read(labelsPath);

        if (images.Rank != 3)
            throw new InvalidDataException(
                $"{imagesPath}: expected a rank-3 image file [count, height, width], got rank {images.Rank}");
        if (labels.Rank != 1)
            throw new InvalidDataException($"{labelsPath}: expected a rank-1 label file [count], got rank {labels.Rank}");
        if (images.Dims[0] != labels.Dims[0])
            throw new InvalidDataException(
                $"{imagesPath} holds {images.Dims[0]} images but {labelsPath} holds {labels.Dims[0]} labels; they must agree");
        int bad = Array.FindIndex(labels.Data, l => l >= ClassNames.Count);
        if (bad >= 0)
            throw new InvalidDataException(
                $"{labelsPath}: label {bad} is {labels.Data[bad]}, outside 0..{ClassNames.Count - 1}");

        return new ImageSet(images.Data, labels.Data, images.Dims[0], 1, images.Dims[1], images.Dims[2], ClassNames);
    }

    private static void RequireDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"Fashion-MNIST directory not found: {directory}. {HowToGet}");
    }

    /// <summary>Prefers the .gz file, which is how the dataset is distributed, then the raw one.</summary>
    private static string Resolve(string directory, string name)
    {
        string gz = Path.Combine(directory, name + ".gz");
        if (File.Exists(gz)) return gz;
        string raw = Path.Combine(directory, name);
        if (File.Exists(raw)) return raw;
        throw new FileNotFoundException($"Fashion-MNIST file missing: neither {gz} nor {raw} exists. {HowToGet}", gz);
    }
}
