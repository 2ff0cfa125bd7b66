using System.Globalization;
using Hubel.Data;
using Hubel.Models;
using Hubel.Nn;
using Hubel.Tensors;

namespace Hubel.Serialization;

/// <summary>What a saved model needs besides its weights to be used again: the architecture name, the class
/// names, the input shape and the input normalisation. Stored in the safetensors "__metadata__".</summary>
public sealed record ModelInfo(string Architecture, IReadOnlyList<string> ClassNames, int Channels, int Height, int Width,
    float Mean, float Std)
{
    public IReadOnlyDictionary<string, string> Extra { get; init; } = new Dictionary<string, string>();

    /// <summary>Per-channel normalisation when the channels differ (CIFAR, colour image folders); null means
    /// <see cref="Mean"/>/<see cref="Std"/> for every channel. Stored as normalize_channel_mean/std; files without
    /// them read as null.</summary>
    public ChannelNormalization? PerChannel { get; init; }

    /// <summary>The normalisation to apply to each input channel.</summary>
    public ChannelNormalization InputNormalization => PerChannel ?? ChannelNormalization.Uniform(Mean, Std, Channels);
}

/// <summary>Saves and loads a model with its <see cref="ModelInfo"/> (weights as safetensors, PyTorch names).</summary>
public static class ModelFile
{
    public static void Save(string path, Module model, ModelInfo info)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(info);
        var meta = new Dictionary<string, string>(info.Extra)
        {
            ["model"] = info.Architecture,
            ["classes"] = string.Join(",", info.ClassNames),
            ["input_shape"] = $"{info.Channels},{info.Height},{info.Width}",
            ["normalize_mean"] = info.Mean.ToString("R", CultureInfo.InvariantCulture),
            ["normalize_std"] = info.Std.ToString("R", CultureInfo.InvariantCulture),
        };
        if (info.PerChannel is { } perChannel)
        {
            if (perChannel.Channels != info.Channels)
                throw new ArgumentException($"PerChannel has {perChannel.Channels} channels but the input has {info.Channels}", nameof(info));
            meta["normalize_channel_mean"] = ChannelNormalization.Format(perChannel.Mean);
            meta["normalize_channel_std"] = ChannelNormalization.Format(perChannel.Std);
        }
        SafeTensors.Save(path, model.NamedState(), meta);   // parameters and buffers (batch-norm running statistics), as state_dict
    }

    /// <summary>Rebuilds the architecture named in the file and loads its weights (strictly: every name and shape must match).</summary>
    /// <exception cref="InvalidDataException">metadata is missing or malformed, or weights do not fit the architecture.</exception>
    public static (Module Model, ModelInfo Info) Load(string path)
    {
        var (tensors, meta) = SafeTensors.Load(path);
        InvalidDataException Bad(string why) => new($"'{path}' is not a Hubel model file: {why}");
        string Need(string key) => meta.TryGetValue(key, out var v) ? v : throw Bad($"metadata '{key}' is missing");
        var classes = Need("classes").Split(',');
        var shape = Need("input_shape").Split(',');
        if (shape.Length != 3 || !shape.All(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int d) && d is > 0 and <= 4096))
            throw Bad($"input_shape '{meta["input_shape"]}' is not C,H,W with sizes in [1, 4096]");
        int[] dims = shape.Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        if (!float.TryParse(Need("normalize_mean"), NumberStyles.Float, CultureInfo.InvariantCulture, out float mean)
            || !float.TryParse(Need("normalize_std"), NumberStyles.Float, CultureInfo.InvariantCulture, out float std) || !(std > 0))
            throw Bad("normalize_mean/normalize_std are not numbers (std must be > 0)");
        var info = new ModelInfo(Need("model"), classes, dims[0], dims[1], dims[2], mean, std)
        {
            Extra = meta.Where(kv => kv.Key is not ("model" or "classes" or "input_shape" or "normalize_mean" or "normalize_std"
                    or "normalize_channel_mean" or "normalize_channel_std"))
                .ToDictionary(kv => kv.Key, kv => kv.Value),
            PerChannel = ReadPerChannel(meta, dims[0], Bad),
        };
        Module model;
        try { model = info.Architecture == Onnx.OnnxModelFile.Architecture ? Onnx.OnnxModelFile.Rebuild(meta) : ModelZoo.Create(info.Architecture, classes.Length, info.Channels, new Rng(0)); }
        catch (ArgumentException e) { throw Bad(e.Message); }
        try { model.LoadState(tensors); }
        catch (ArgumentException e) { throw Bad(e.Message); }
        model.Eval();
        return (model, info);
    }

    private static ChannelNormalization? ReadPerChannel(IReadOnlyDictionary<string, string> meta, int channels, Func<string, InvalidDataException> bad)
    {
        bool hasMean = meta.TryGetValue("normalize_channel_mean", out var means), hasStd = meta.TryGetValue("normalize_channel_std", out var stds);
        if (!hasMean && !hasStd) return null;
        float[]? Parse(string? text) => text?.Split(',').Select(t => float.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) ? v : float.NaN).ToArray();
        var m = Parse(means);
        var sd = Parse(stds);
        if (m is null || sd is null || m.Length != channels || sd.Length != channels
            || m.Any(v => !float.IsFinite(v)) || sd.Any(v => !(v > 0) || !float.IsFinite(v)))
            throw bad($"normalize_channel_mean/normalize_channel_std must each hold {channels} numbers (std > 0)");
        return new ChannelNormalization(m, sd);
    }
}
