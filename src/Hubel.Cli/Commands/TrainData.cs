using System.CommandLine;
using System.Globalization;
using Hubel.Autograd;
using Hubel.Data;
using Hubel.Data.Augmentation;
using Hubel.Models;
using Hubel.Nn;
using Hubel.Tensors;

namespace Hubel.Cli.Commands;

/// <summary>The data-related choices of `hubel train` beyond --dataset and --data.</summary>
internal sealed record DataChoice(int? ImageSize, int? Channels, string? Augment, bool Expand)
{
    public static DataChoice None { get; } = new(null, null, null, false);
}

/// <summary>The options behind <see cref="DataChoice"/>: --image-size, --channels, --augment, --expand.</summary>
internal sealed class TrainDataOptions
{
    private readonly Option<int?> _imageSize = new("--image-size") { Description = "--dataset folder: resize every picture to N x N (default: the first picture's size)." };
    private readonly Option<int?> _channels = new("--channels") { Description = "--dataset folder: 1 (grey) or 3 (RGB) (default: 3 if any picture has colour)." };
    private readonly Option<string?> _augment = new("--augment") { Description = $"Augment training batches on the fly: {AugmentationSpec.Syntax}." };
    private readonly Option<bool> _expand = new("--expand") { Description = "Expand the training set fivefold with one-pixel shifts up, down, left and right (the notes' expanded MNIST)." };

    public TrainDataOptions()
    {
        _imageSize.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is int v && v is < 1 or > 4096) r.AddError($"--image-size must be in 1..4096; got {v}"); });
        _channels.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is int v && v is not (1 or 3)) r.AddError($"--channels must be 1 or 3; got {v}"); });
        _augment.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is not string spec) return;
            try { AugmentationSpec.Parse(spec); }
            catch (FormatException e) { r.AddError($"--augment: {e.Message}"); }
        });
    }

    public void AddTo(Command command)
    {
        command.Add(_imageSize);
        command.Add(_channels);
        command.Add(_augment);
        command.Add(_expand);
    }

    public DataChoice Read(ParseResult r) => new(r.GetValue(_imageSize), r.GetValue(_channels), r.GetValue(_augment), r.GetValue(_expand));
}

/// <summary>A loaded dataset and the normalisation its inputs get.</summary>
internal sealed record LoadedData(TrainTestSplit Split, ChannelNormalization Normalization);

/// <summary>Maps the command line's dataset options to datasets and loaders, for train and eval.</summary>
internal static class TrainData
{
    /// <summary>Values of --dataset.</summary>
    public static string[] DatasetNames { get; } = ["shipped", "fashion-mnist", "folder", "cifar10", "cifar100"];

    public const string DatasetHelp = "shipped (8,000/2,000 images in the repo), fashion-mnist (from --data or /usr/share/datasets/fashion-mnist), " +
        "folder (--data DIR with one sub-folder of PNG/JPEG pictures per class), cifar10 or cifar100 (--data DIR with the binary batches). " +
        "Default: shipped, or fashion-mnist when --data is given.";

    /// <summary>Share of each class that a folder without train/ and test/ sub-folders holds out for testing.</summary>
    public const double FolderTestFraction = 0.2;

    /// <summary>Loads the named dataset. <paramref name="splitSeed"/> picks a folder's held-out images.</summary>
    public static LoadedData Load(string dataset, string? data, DataChoice choice, ulong splitSeed)
    {
        if (dataset != "folder" && (choice.ImageSize is not null || choice.Channels is not null))
            throw new UsageException("--image-size and --channels apply to --dataset folder only");
        if (dataset is "folder" or "cifar10" or "cifar100" && data is null)
            throw new UsageException($"--dataset {dataset} needs --data DIR");
        return dataset switch
        {
            "shipped" => new(FashionMnist.LoadShipped(), ChannelNormalization.FashionMnist),
            "fashion-mnist" => new(FashionMnist.Load(data ?? FashionMnist.DefaultSystemDirectory), ChannelNormalization.FashionMnist),
            "cifar10" => new(Cifar.LoadCifar10(data!), ChannelNormalization.Cifar10),
            "cifar100" => new(Cifar.LoadCifar100(data!), ChannelNormalization.Cifar100),
            "folder" => LoadFolder(data!, choice, splitSeed),
            _ => throw new UsageException($"unknown dataset '{dataset}'; expected one of: {string.Join(", ", DatasetNames)}"),
        };
    }

    private static LoadedData LoadFolder(string root, DataChoice choice, ulong seed)
    {
        var split = ImageFolder.Load(root, new ImageFolderOptions
        {
            ImageSize = choice.ImageSize, Channels = choice.Channels, TestFraction = FolderTestFraction, Seed = seed,
        });
        // Statistics of the training pictures only, so nothing about the test split leaks into training.
        return new(split, ChannelNormalization.FromData(split.Train));
    }

    /// <summary>The shuffling training loader, with the fivefold expansion and the augmentation when chosen. The
    /// augmentation draws from <paramref name="dataOrder"/>, so a checkpoint of that generator resumes it exactly.</summary>
    public static BatchLoader TrainLoader(LoadedData data, DataChoice choice, int batchSize, Rng dataOrder)
    {
        var train = choice.Expand ? ShiftExpansion.Expand(data.Split.Train) : data.Split.Train;
        return new BatchLoader(train, batchSize, shuffle: true, dataOrder, data.Normalization)
        {
            Augmentation = choice.Augment is null ? null : AugmentationSpec.Parse(choice.Augment),
        };
    }

    /// <summary>The test loader: file order, no augmentation.</summary>
    public static BatchLoader TestLoader(LoadedData data) => new(data.Split.Test, 1000, shuffle: false, null, data.Normalization);

    /// <summary>Fails early, with advice, when the model cannot take the dataset's image size (LeNet-5 wants 28x28).</summary>
    public static void CheckModelAccepts(Module net, string modelName, ImageSet set)
    {
        if (set.Count == 0) throw new InvalidDataException("the training set is empty");
        bool training = net.IsTraining;
        net.Eval();
        try
        {
            using (Graph.NoGrad()) net.Forward(Tensor.Zeros([1, set.Channels, set.Height, set.Width]));
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"model {modelName} does not accept {set.Channels}x{set.Height}x{set.Width} images ({e.Message}); " +
                "for --dataset folder pick a size it takes with --image-size (28 for lenet5)");
        }
        finally
        {
            net.Train(training);
        }
    }

    /// <summary>Checkpoint settings that let --resume rebuild the same data.</summary>
    public static void AddSettings(Dictionary<string, string> settings, DataChoice choice)
    {
        if (choice.ImageSize is int size) settings["image_size"] = size.ToString(CultureInfo.InvariantCulture);
        if (choice.Channels is int channels) settings["channels"] = channels.ToString(CultureInfo.InvariantCulture);
        if (choice.Augment is string augment) settings["augment"] = augment;
        if (choice.Expand) settings["expand"] = "true";
    }

    /// <summary>Reads back what <see cref="AddSettings"/> wrote (absent keys: not chosen).</summary>
    public static DataChoice FromSettings(IReadOnlyDictionary<string, string> settings)
    {
        int? Int(string key) => settings.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : null;
        return new(Int("image_size"), Int("channels"), settings.GetValueOrDefault("augment"), settings.GetValueOrDefault("expand") == "true");
    }
    /// <summary>The image size a zoo model takes for <paramref name="height"/> x <paramref name="width"/> images: the same
    /// size when it fits, else the model's fixed or minimum size. Models from outside the zoo (imported ONNX graphs) keep
    /// the size they are given. Train resizes to this size; eval resizes a data set back to what the model was trained at.</summary>
    public static (int Height, int Width) ModelImageSize(string model, int height, int width) =>
        ModelZoo.Names.Contains(model) ? ModelZoo.Entry(model).AdaptedSize(height, width) : (height, width);

    /// <summary>Bilinear resize of <paramref name="set"/> to <paramref name="height"/> x <paramref name="width"/>, announced on
    /// <paramref name="log"/> (stderr under --json, so stdout stays machine-readable).</summary>
    public static ImageSet ResizeForModel(ImageSet set, string model, int height, int width, TextWriter log)
    {
        if ((height, width) == (set.Height, set.Width)) return set;
        log.WriteLine($"{model} does not take {set.Height}x{set.Width} images: resizing them to {height}x{width} (bilinear)");
        return ImageResize.Bilinear(set, height, width);
    }


    /// <summary>The test split for `hubel eval`: for a folder, the same size, channels and held-out images as when the
    /// model was trained (the split seed is the training seed stored with the model).</summary>
    public static ImageSet EvalSet(string dataset, string? data, Serialization.ModelInfo info)
    {
        var choice = dataset == "folder"
            ? DataChoice.None with { ImageSize = info.Height == info.Width ? info.Height : null, Channels = info.Channels }
            : DataChoice.None;
        ulong seed = info.Extra.TryGetValue("seed", out var v) && ulong.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out ulong parsed) ? parsed : 0;
        return Load(dataset, data, choice, seed).Split.Test;
    }
}
