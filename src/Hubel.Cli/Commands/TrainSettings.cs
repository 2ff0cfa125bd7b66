using System.Globalization;
using Hubel.Training;

namespace Hubel.Cli.Commands;

/// <summary>One `hubel train` run's settings, parsed from <see cref="TrainOptions"/>. The ones that define the
/// run (model, data, hyper-parameters) are stored in checkpoints so that --resume continues the same run.</summary>
internal sealed record TrainSettings
{
    public required string Model { get; init; }
    public string? Dataset { get; init; }
    public string? Data { get; init; }
    public int Epochs { get; init; }
    public int BatchSize { get; init; }
    public double Lr { get; init; }
    public double Momentum { get; init; }
    public double WeightDecay { get; init; }
    public ulong Seed { get; init; }
    public int Threads { get; init; }
    public string? Out { get; init; }
    public bool Json { get; init; }
    public bool Plot { get; init; }
    public string? Resume { get; init; }

    /// <summary>The settings a checkpoint records (all strings, invariant culture, doubles round-trip exactly).</summary>
    public Dictionary<string, string> ToCheckpoint(string datasetName)
    {
        var d = new Dictionary<string, string>
        {
            ["model"] = Model, ["dataset"] = datasetName, ["batch_size"] = Str(BatchSize),
            ["lr"] = Str(Lr), ["momentum"] = Str(Momentum), ["weight_decay"] = Str(WeightDecay), ["seed"] = Seed.ToString(CultureInfo.InvariantCulture),
        };
        if (Data is not null) d["data"] = Path.GetFullPath(Data);
        return d;
    }

    /// <summary>These settings with the run-defining ones replaced by a checkpoint's.</summary>
    public TrainSettings WithCheckpoint(Checkpoint.State state)
    {
        string Get(string key) => state.Settings.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"checkpoint setting '{key}' is missing");
        double D(string key) => double.Parse(Get(key), CultureInfo.InvariantCulture);
        try
        {
            return this with
            {
                Model = Get("model"), Dataset = Get("dataset"), Data = state.Settings.GetValueOrDefault("data"),
                BatchSize = int.Parse(Get("batch_size"), CultureInfo.InvariantCulture), Lr = D("lr"), Momentum = D("momentum"),
                WeightDecay = D("weight_decay"), Seed = ulong.Parse(Get("seed"), CultureInfo.InvariantCulture),
            };
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new InvalidDataException($"checkpoint settings are malformed ({e.Message})");
        }
    }

    private static string Str(int v) => v.ToString(CultureInfo.InvariantCulture);
    private static string Str(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
