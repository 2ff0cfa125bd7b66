using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hubel.Nn;
using Hubel.Optim;
using Hubel.Serialization;
using Hubel.Tensors;

namespace Hubel.Training;

/// <summary>What a run needs to continue exactly where it stopped: weights, SGD momentum buffers, the number of
/// finished epochs, the data-order generator's state, the run's settings and its history. One safetensors file,
/// written atomically, so a crash mid-write leaves the previous checkpoint intact.</summary>
public static class Checkpoint
{
    private const string Format = "hubel-checkpoint-1";

    public sealed record State(int Epoch, IReadOnlyDictionary<string, string> Settings, IReadOnlyList<EpochReport> History);

    public static void Save(string path, Module model, Sgd optimizer, Rng dataOrder, int epoch,
        IReadOnlyDictionary<string, string> settings, IReadOnlyList<EpochReport> history)
    {
        ArgumentNullException.ThrowIfNull(model); ArgumentNullException.ThrowIfNull(optimizer); ArgumentNullException.ThrowIfNull(dataOrder);
        var names = model.NamedParameters().Select(p => p.Name).ToList();
        var tensors = model.NamedState().Select(p => ("model." + p.Name, p.Value)).ToList();   // parameters and buffers
        for (int i = 0; i < optimizer.Velocity.Count; i++)
            if (optimizer.Velocity[i] is { } v) tensors.Add(("optimizer.velocity." + names[i], v));
        var meta = settings.ToDictionary(kv => "setting." + kv.Key, kv => kv.Value);
        meta["format"] = Format;
        meta["epoch"] = epoch.ToString(CultureInfo.InvariantCulture);
        meta["data_rng"] = string.Join(",", dataOrder.State.Select(w => w.ToString(CultureInfo.InvariantCulture)));
        // One row of numbers per epoch, as JSON built from nodes (no reflection, so NativeAOT builds work).
        var rows = new JsonArray();
        foreach (var h in history)
            rows.Add((JsonNode)new JsonArray(h.Epoch, h.TrainLoss, h.TrainAccuracy, h.TestLoss, h.TestAccuracy, h.ImagesPerSecond, h.Seconds));
        meta["history"] = rows.ToJsonString();
        SafeTensors.Save(path, tensors, meta);
    }

    /// <summary>Reads the settings only, so the caller can rebuild the same model and optimiser before <see cref="Restore"/>.</summary>
    public static State ReadState(string path)
    {
        var (_, meta) = SafeTensors.Load(path);
        InvalidDataException Bad(string why) => new($"'{path}' is not a Hubel checkpoint: {why}");
        if (!meta.TryGetValue("format", out var f) || f != Format) throw Bad($"format is '{f ?? "missing"}', expected {Format}");
        if (!meta.TryGetValue("epoch", out var e) || !int.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out int epoch) || epoch < 1)
            throw Bad("epoch is missing or not a positive integer");
        var settings = meta.Where(kv => kv.Key.StartsWith("setting.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key["setting.".Length..], kv => kv.Value);
        var history = new List<EpochReport>();
        try
        {
            foreach (var node in JsonNode.Parse(meta.GetValueOrDefault("history", "[]"))?.AsArray() ?? [])
            {
                var row = node!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
                history.Add(new EpochReport((int)row[0], row[1], row[2], row[3], row[4], row[5], row[6]));
            }
        }
        catch (Exception ex) when (ex is JsonException or IndexOutOfRangeException or InvalidOperationException or FormatException or NullReferenceException)
        {
            throw Bad($"history is malformed ({ex.Message})");
        }
        return new State(epoch, settings, history);
    }

    /// <summary>Loads weights, momentum buffers and the data-order state into an already built model and optimiser.</summary>
    public static void Restore(string path, Module model, Sgd optimizer, Rng dataOrder)
    {
        var (tensors, meta) = SafeTensors.Load(path);
        InvalidDataException Bad(string why) => new($"'{path}' is not a usable checkpoint: {why}");
        var weights = tensors.Where(kv => kv.Key.StartsWith("model.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key["model.".Length..], kv => kv.Value);
        try { model.LoadState(weights); }
        catch (ArgumentException ex) { throw Bad(ex.Message); }
        var names = model.NamedParameters().Select(p => p.Name).ToList();
        optimizer.LoadVelocity(names.Select(n => tensors.GetValueOrDefault("optimizer.velocity." + n)).ToList());
        var words = meta.GetValueOrDefault("data_rng", "").Split(',');
        if (words.Length != 4 || !words.All(w => ulong.TryParse(w, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            throw Bad("data_rng is not four unsigned integers");
        dataOrder.State = words.Select(w => ulong.Parse(w, CultureInfo.InvariantCulture)).ToArray();
    }
}
