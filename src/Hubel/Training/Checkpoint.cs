using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hubel.Nn;
using Hubel.Optim;
using Hubel.Optim.Schedules;
using Hubel.Serialization;
using Hubel.Tensors;

namespace Hubel.Training;

/// <summary>What a run needs to continue exactly where it stopped: weights, the optimiser's state (momentum or
/// moment buffers and step counts), the schedule's position, the number of finished epochs, the data-order
/// generator's state, the run's settings and its history. One safetensors file, written atomically, so a crash
/// mid-write leaves the previous checkpoint intact.</summary>
public static class Checkpoint
{
    private const string Format = "hubel-checkpoint-2";
    private const string ModelPrefix = "model.", OptimizerPrefix = "optimizer.";

    public sealed record State(int Epoch, IReadOnlyDictionary<string, string> Settings, IReadOnlyList<EpochReport> History);

    public static void Save(string path, Module model, Optimizer optimizer, Rng dataOrder, int epoch,
        IReadOnlyDictionary<string, string> settings, IReadOnlyList<EpochReport> history, LrSchedule? schedule = null)
    {
        ArgumentNullException.ThrowIfNull(model); ArgumentNullException.ThrowIfNull(optimizer); ArgumentNullException.ThrowIfNull(dataOrder);
        var tensors = model.NamedState().Select(p => (ModelPrefix + p.Name, p.Value)).ToList();   // parameters and buffers
        tensors.AddRange(optimizer.NamedState().Select(p => (OptimizerPrefix + p.Name, p.Value)));
        var meta = settings.ToDictionary(kv => "setting." + kv.Key, kv => kv.Value);
        meta["format"] = Format;
        meta["epoch"] = epoch.ToString(CultureInfo.InvariantCulture);
        meta["data_rng"] = string.Join(",", dataOrder.State.Select(w => w.ToString(CultureInfo.InvariantCulture)));
        meta["learning_rate"] = optimizer.LearningRate.ToString("R", CultureInfo.InvariantCulture);
        if (schedule is not null) meta["schedule_step"] = schedule.StepCount.ToString(CultureInfo.InvariantCulture);
        // One row of numbers per epoch, as JSON built from nodes (no reflection, so NativeAOT builds work); NaN as null.
        var rows = new JsonArray();
        foreach (var h in history)
            rows.Add((JsonNode)new JsonArray([.. new[] { h.Epoch, h.TrainLoss, h.TrainAccuracy, h.TestLoss, h.TestAccuracy, h.ImagesPerSecond, h.Seconds,
                h.ValLoss, h.ValAccuracy, h.LearningRate }.Select(v => double.IsNaN(v) ? null : (JsonNode)JsonValue.Create(v))]));
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
                var row = node!.AsArray().Select(v => v is null ? double.NaN : v.GetValue<double>()).ToArray();
                if (row.Length != 10) throw new FormatException($"a history row has {row.Length} numbers, expected 10");
                history.Add(new EpochReport((int)row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9]));
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or NullReferenceException)
        {
            throw Bad($"history is malformed ({ex.Message})");
        }
        return new State(epoch, settings, history);
    }

    /// <summary>Loads weights, optimiser state, the schedule's position (or else the saved learning rate) and the
    /// data-order state into an already built model, optimiser and schedule.</summary>
    public static void Restore(string path, Module model, Optimizer optimizer, Rng dataOrder, LrSchedule? schedule = null)
    {
        ArgumentNullException.ThrowIfNull(model); ArgumentNullException.ThrowIfNull(optimizer); ArgumentNullException.ThrowIfNull(dataOrder);
        var (tensors, meta) = SafeTensors.Load(path);
        InvalidDataException Bad(string why) => new($"'{path}' is not a usable checkpoint: {why}");
        Dictionary<string, Tensor> WithPrefix(string prefix) =>
            tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
        try
        {
            model.LoadState(WithPrefix(ModelPrefix));
            optimizer.LoadState(WithPrefix(OptimizerPrefix));
        }
        catch (ArgumentException ex) { throw Bad(ex.Message); }
        if (schedule is not null)
        {
            if (!int.TryParse(meta.GetValueOrDefault("schedule_step"), NumberStyles.None, CultureInfo.InvariantCulture, out int step))
                throw Bad("schedule_step is missing or not a whole number, but the run has a learning-rate schedule");
            try { schedule.Restore(step); }
            catch (InvalidOperationException ex) { throw Bad(ex.Message); }
        }
        else if (double.TryParse(meta.GetValueOrDefault("learning_rate"), NumberStyles.Float, CultureInfo.InvariantCulture, out double lr) && double.IsFinite(lr) && lr >= 0)
            optimizer.LearningRate = lr;
        var words = meta.GetValueOrDefault("data_rng", "").Split(',');
        if (words.Length != 4 || !words.All(w => ulong.TryParse(w, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            throw Bad("data_rng is not four unsigned integers");
        dataOrder.State = words.Select(w => ulong.Parse(w, CultureInfo.InvariantCulture)).ToArray();
    }
}
