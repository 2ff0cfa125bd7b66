namespace Hubel.Data;

/// <summary>Loads CIFAR-10 and CIFAR-100 in their binary distribution (Krizhevsky, 2009): each record is the label
/// byte(s) followed by 3,072 pixel bytes, the 32×32 red plane, then green, then blue.</summary>
public static class Cifar
{
    /// <summary>Image side length in pixels.</summary>
    public const int ImageSize = 32;

    /// <summary>Pixel bytes per record: 3 planes of 32×32.</summary>
    public const int PixelBytes = 3 * ImageSize * ImageSize;

    /// <summary>CIFAR-10's class names, used when batches.meta.txt is absent.</summary>
    public static IReadOnlyList<string> Cifar10ClassNames { get; } =
        Array.AsReadOnly(["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]);

    /// <summary>The training files of CIFAR-10, in order.</summary>
    public static IReadOnlyList<string> Cifar10TrainFiles { get; } =
        Array.AsReadOnly(["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"]);

    private const string HowToGet10 = "Download the CIFAR-10 binary version (cifar-10-binary.tar.gz), unpack it and pass " +
        "--data pointing at cifar-10-batches-bin (or its parent).";
    private const string HowToGet100 = "Download the CIFAR-100 binary version (cifar-100-binary.tar.gz), unpack it and pass " +
        "--data pointing at cifar-100-binary (or its parent).";

    /// <summary>Loads CIFAR-10 from <paramref name="directory"/> (or its cifar-10-batches-bin sub-folder):
    /// data_batch_1.bin … data_batch_5.bin for training and test_batch.bin for testing. Class names come from
    /// batches.meta.txt when present.</summary>
    /// <exception cref="DirectoryNotFoundException">the directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">a batch file is missing (named).</exception>
    /// <exception cref="InvalidDataException">a file is not whole records, or a label is outside the classes.</exception>
    public static TrainTestSplit LoadCifar10(string directory)
    {
        string dir = Locate(directory, "cifar-10-batches-bin", "test_batch.bin", HowToGet10);
        var classes = ReadNames(Path.Combine(dir, "batches.meta.txt")) ?? Cifar10ClassNames;
        var train = ReadBatches([.. Cifar10TrainFiles.Select(f => Require(dir, f, HowToGet10))], labelBytes: 1, labelIndex: 0, classes);
        var test = ReadBatches([Require(dir, "test_batch.bin", HowToGet10)], labelBytes: 1, labelIndex: 0, classes);
        return new TrainTestSplit(train, test);
    }

    /// <summary>Loads CIFAR-100 from <paramref name="directory"/> (or its cifar-100-binary sub-folder): train.bin and
    /// test.bin, each record a coarse label byte, a fine label byte and the pixels. <paramref name="fine"/> picks the
    /// 100 fine classes (fine_label_names.txt) or the 20 superclasses (coarse_label_names.txt).</summary>
    public static TrainTestSplit LoadCifar100(string directory, bool fine = true)
    {
        string dir = Locate(directory, "cifar-100-binary", "test.bin", HowToGet100);
        string namesFile = fine ? "fine_label_names.txt" : "coarse_label_names.txt";
        var classes = ReadNames(Path.Combine(dir, namesFile))
            ?? [.. Enumerable.Range(0, fine ? 100 : 20).Select(i => (fine ? "class" : "superclass") + i)];
        int labelIndex = fine ? 1 : 0;
        var train = ReadBatches([Require(dir, "train.bin", HowToGet100)], labelBytes: 2, labelIndex, classes);
        var test = ReadBatches([Require(dir, "test.bin", HowToGet100)], labelBytes: 2, labelIndex, classes);
        return new TrainTestSplit(train, test);
    }

    /// <summary>Reads binary batch files into one set. Each record is <paramref name="labelBytes"/> label bytes, of which
    /// the one at <paramref name="labelIndex"/> is the class, followed by <see cref="PixelBytes"/> pixel bytes.</summary>
    public static ImageSet ReadBatches(IReadOnlyList<string> paths, int labelBytes, int labelIndex, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(classNames);
        if (labelBytes is < 1 or > 2) throw new ArgumentOutOfRangeException(nameof(labelBytes), labelBytes, "labelBytes must be 1 (CIFAR-10) or 2 (CIFAR-100)");
        if (labelIndex < 0 || labelIndex >= labelBytes) throw new ArgumentOutOfRangeException(nameof(labelIndex), labelIndex, $"labelIndex must be in 0..{labelBytes - 1}");
        int record = labelBytes + PixelBytes;
        var lengths = new long[paths.Count];
        long count = 0;
        for (int f = 0; f < paths.Count; f++)
        {
            if (!File.Exists(paths[f])) throw new FileNotFoundException($"CIFAR batch file missing: {paths[f]}", paths[f]);
            lengths[f] = new FileInfo(paths[f]).Length;
            if (lengths[f] == 0 || lengths[f] % record != 0)
                throw new InvalidDataException(
                    $"{paths[f]}: {lengths[f]} bytes is not a whole number of {record}-byte records ({labelBytes} label byte(s) + {PixelBytes} pixels)");
            count += lengths[f] / record;
        }
        if (count * PixelBytes > Array.MaxLength) throw new InvalidDataException($"{count} CIFAR images do not fit in one array");
        var pixels = new byte[count * PixelBytes];
        var labels = new byte[count];
        int image = 0;
        var buffer = new byte[record];
        for (int f = 0; f < paths.Count; f++)
        {
            using var stream = File.OpenRead(paths[f]);
            for (long r = 0; r < lengths[f] / record; r++, image++)
            {
                stream.ReadExactly(buffer);
                byte label = buffer[labelIndex];
                if (label >= classNames.Count)
                    throw new InvalidDataException(
                        $"{paths[f]}: record {r} has label {label}, outside 0..{classNames.Count - 1} ({classNames.Count} classes)");
                labels[image] = label;
                buffer.AsSpan(labelBytes).CopyTo(pixels.AsSpan(image * PixelBytes, PixelBytes));
            }
        }
        return new ImageSet(pixels, labels, (int)count, 3, ImageSize, ImageSize, classNames);
    }

    /// <summary>The folder that holds the batches: <paramref name="directory"/> itself or its standard sub-folder.</summary>
    private static string Locate(string directory, string subFolder, string marker, string howToGet)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"CIFAR directory not found: {directory}. {howToGet}");
        string nested = Path.Combine(directory, subFolder);
        return !File.Exists(Path.Combine(directory, marker)) && Directory.Exists(nested) ? nested : directory;
    }

    private static string Require(string dir, string name, string howToGet)
    {
        string path = Path.Combine(dir, name);
        return File.Exists(path) ? path : throw new FileNotFoundException($"CIFAR file missing: {path}. {howToGet}", path);
    }

    /// <summary>Non-blank lines of a names file, or null when there is none.</summary>
    private static string[]? ReadNames(string path)
    {
        if (!File.Exists(path)) return null;
        var names = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        if (names.Length is 0 or > 256) throw new InvalidDataException($"{path}: expected 1 to 256 class names, one per line; found {names.Length}");
        return names;
    }
}
