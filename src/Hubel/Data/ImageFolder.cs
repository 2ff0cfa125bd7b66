using Hubel.Imaging;
using Hubel.Tensors;

namespace Hubel.Data;

/// <summary>How <see cref="ImageFolder"/> turns pictures into a dataset.</summary>
public sealed record ImageFolderOptions
{
    /// <summary>Side length (square) or null to keep the first image's height and width; 1..4096.</summary>
    public int? ImageSize { get; init; }
    /// <summary>1 (grey, by luminance) or 3 (RGB); null: 3 when any picture has colour (some pixel with red, green and
    /// blue not all equal), else 1.</summary>
    public int? Channels { get; init; }
    /// <summary>Share of each class held out for testing when the folder has no train/test sub-folders, in (0, 1).</summary>
    public double TestFraction { get; init; } = 0.2;
    /// <summary>Seed of the per-class shuffle that picks the held-out images.</summary>
    public ulong Seed { get; init; }
}

/// <summary>A dataset made of ordinary pictures: <c>root/&lt;class&gt;/*.png|*.jpg|*.jpeg</c>, one sub-folder per
/// class (class names sorted ordinally, so labels do not depend on the file system's order). Either the root holds
/// <c>train/</c> and <c>test/</c> folders, each with the same class folders, or the images of each class are split
/// by a seeded shuffle (<see cref="ImageFolderOptions.TestFraction"/>). Every picture is converted to the chosen
/// channels and resized (bilinear, area-averaged when shrinking a lot) to one size, then stored as 8-bit pixels.</summary>
public static class ImageFolder
{
    /// <summary>File extensions that are read (case-insensitive).</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".jpg", ".jpeg"];

    /// <exception cref="DirectoryNotFoundException">the root does not exist.</exception>
    /// <exception cref="InvalidDataException">no class folders, an empty class, too few images to split, a class name the
    /// model file cannot store, or an unreadable image (named by path).</exception>
    public static TrainTestSplit Load(string root, ImageFolderOptions? options = null)
    {
        options ??= new ImageFolderOptions();
        ArgumentException.ThrowIfNullOrEmpty(root);
        if (options.ImageSize is int size && size is < 1 or > 4096)
            throw new ArgumentOutOfRangeException(nameof(options), size, "ImageSize must be in 1..4096");
        if (options.Channels is int ch && ch is not (1 or 3))
            throw new ArgumentOutOfRangeException(nameof(options), ch, "Channels must be 1 (grey) or 3 (RGB)");
        if (!(options.TestFraction is > 0 and < 1))
            throw new ArgumentOutOfRangeException(nameof(options), options.TestFraction, "TestFraction must be in (0, 1)");
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"image folder not found: {root}");

        string trainDir = Path.Combine(root, "train"), testDir = Path.Combine(root, "test");
        bool presplit = Directory.Exists(trainDir) && Directory.Exists(testDir);
        var classes = ClassFolders(presplit ? trainDir : root);
        List<(string Path, byte Label)> trainFiles, testFiles;
        if (presplit)
        {
            var testClasses = ClassFolders(testDir);
            if (!testClasses.SequenceEqual(classes, StringComparer.Ordinal))
                throw new InvalidDataException($"{trainDir} has classes [{string.Join(", ", classes)}] but {testDir} has [{string.Join(", ", testClasses)}]; they must match");
            trainFiles = Files(trainDir, classes);
            testFiles = Files(testDir, classes);
        }
        else
            (trainFiles, testFiles) = Split(Files(root, classes), classes, options);

        var decoded = Decode([.. trainFiles, .. testFiles], options.ImageSize);
        int channels = options.Channels ?? (decoded.Any(d => HasColour(d.Image)) ? 3 : 1);
        int height = decoded[0].Image.Size(1), width = decoded[0].Image.Size(2);
        var train = Pack(decoded.Take(trainFiles.Count).ToList(), channels, height, width, classes);
        var test = Pack(decoded.Skip(trainFiles.Count).ToList(), channels, height, width, classes);
        return new TrainTestSplit(train, test);
    }

    /// <summary>Sub-folders of <paramref name="dir"/>, sorted ordinally; each is a class.</summary>
    private static string[] ClassFolders(string dir)
    {
        var names = Directory.GetDirectories(dir).Select(Path.GetFileName).OfType<string>()
            .Where(n => !n.StartsWith('.')).Order(StringComparer.Ordinal).ToArray();
        if (names.Length == 0)
            throw new InvalidDataException($"{dir} has no class folders; expected one sub-folder per class holding .png/.jpg/.jpeg pictures");
        if (names.Length > 256) throw new InvalidDataException($"{dir} has {names.Length} class folders; at most 256 are supported");
        // Model files store the class list comma-separated, so a comma would split one class into two on reload.
        if (names.FirstOrDefault(n => n.Contains(',')) is string bad)
            throw new InvalidDataException($"class folder '{bad}' in {dir} contains a comma, which model files cannot store; rename it");
        return names;
    }

    private static List<(string Path, byte Label)> Files(string dir, string[] classes)
    {
        var files = new List<(string, byte)>();
        for (int label = 0; label < classes.Length; label++)
        {
            string classDir = Path.Combine(dir, classes[label]);
            var images = Directory.EnumerateFiles(classDir)
                .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal).ToList();
            if (images.Count == 0)
                throw new InvalidDataException($"class folder {classDir} has no .png, .jpg or .jpeg pictures");
            files.AddRange(images.Select(f => (f, (byte)label)));
        }
        return files;
    }

    /// <summary>Per class: a seeded shuffle, then round(n × fraction) (at least one) images to test, the rest to train.</summary>
    private static (List<(string, byte)>, List<(string, byte)>) Split(List<(string Path, byte Label)> files, string[] classes, ImageFolderOptions options)
    {
        var rng = new Rng(options.Seed);
        var train = new List<(string, byte)>();
        var test = new List<(string, byte)>();
        for (int label = 0; label < classes.Length; label++)
        {
            var members = files.Where(f => f.Label == label).ToList();
            if (members.Count < 2)
                throw new InvalidDataException(
                    $"class '{classes[label]}' has {members.Count} picture; splitting into train and test needs at least 2 per class");
            int held = Math.Clamp((int)Math.Round(members.Count * options.TestFraction), 1, members.Count - 1);
            var order = rng.Permutation(members.Count);
            // Keep each split in file order so that evaluation output is easy to follow.
            var chosen = order.Take(held).ToHashSet();
            for (int i = 0; i < members.Count; i++) (chosen.Contains(i) ? test : train).Add(members[i]);
        }
        return (train, test);
    }

    /// <summary>Decodes every file and resizes it to the target size, keeping its own channel count for now.</summary>
    private static List<(Tensor Image, byte Label)> Decode(List<(string Path, byte Label)> files, int? side)
    {
        var result = new List<(Tensor, byte)>(files.Count);
        int height = 0, width = 0;
        foreach (var (path, label) in files)
        {
            var image = ImageFile.Load(path);   // names the path in its InvalidDataException
            if (height == 0) (height, width) = side is int s ? (s, s) : (image.Size(1), image.Size(2));
            int c = image.Size(0);
            result.Add((Preprocess.ForModel(image, c, height, width, mean: 0, std: 1).Reshape(c, height, width), label));
        }
        return result;
    }

    /// <summary>True when some pixel's red, green and blue differ: a grey picture saved as RGB still counts as grey.</summary>
    private static bool HasColour(Tensor image)
    {
        if (image.Size(0) == 1) return false;
        var v = image.ToFloatArray();
        int plane = image.Size(1) * image.Size(2);
        for (int p = 0; p < plane; p++)
            if (v[p] != v[plane + p] || v[p] != v[2 * plane + p]) return true;
        return false;
    }

    private static ImageSet Pack(List<(Tensor Image, byte Label)> images, int channels, int height, int width, string[] classes)
    {
        int plane = height * width, per = channels * plane;
        var pixels = new byte[checked(images.Count * per)];
        var labels = new byte[images.Count];
        for (int i = 0; i < images.Count; i++)
        {
            var (image, label) = images[i];
            var v = image.ToFloatArray();
            var dst = pixels.AsSpan(i * per, per);
            for (int c = 0; c < channels; c++)
                for (int p = 0; p < plane; p++)
                {
                    float x = image.Size(0) == channels ? v[c * plane + p]
                        : channels == 1 ? 0.299f * v[p] + 0.587f * v[plane + p] + 0.114f * v[2 * plane + p]   // colour to grey: luminance
                        : v[p];                                                                                // grey to colour: repeat
                    dst[c * plane + p] = (byte)Math.Clamp((int)MathF.Round(x * 255f), 0, 255);
                }
            labels[i] = label;
        }
        return new ImageSet(pixels, labels, images.Count, channels, height, width, classes);
    }
}
