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
    public DataChoice DataChoice { get; init; } = DataChoice.None;
    public int Epochs { get; init; }
    public int BatchSize { get; init; }
    public double Lr { get; init; }
    public double Momentum { get; init; }
    public double WeightDecay { get; init; }
    public ulong Seed { get; init; }
    public int Threads { get; init; }
    public string Optimizer { get; init; } = "sgd";
    public bool Nesterov { get; init; }
    public string Schedule { get; init; } = "none";
    public int StepSize { get; init; } = 5;
    public double Gamma { get; init; } = 0.1;
    public int[] Milestones { get; init; } = [];
    public int WarmupEpochs { get; init; }
    public double ClipGradNorm { get; init; }
    public double LabelSmoothing { get; init; }
    public double ValSplit { get; init; }
    public int EarlyStopping { get; init; }
    public string EarlyStoppingMetric { get; init; } = "val-accuracy";
    public int Ensemble { get; init; } = 1;
    public string? Out { get; init; }
    public bool Json { get; init; }
    public bool Plot { get; init; }
    public string? Resume { get; init; }

    /// <summary>Schedules whose shape depends on the run's length (so a resumed run must keep its --epochs).</summary>
    public bool ScheduleSpansTheRun => Schedule is "cosine" or "onecycle";

    /// <summary>The early-stopping and best-model metric as the library's enum, and in words.</summary>
    public Hubel.Training.EarlyStoppingMetric Metric => EarlyStoppingMetric == "val-loss" ? Hubel.Training.EarlyStoppingMetric.ValLoss : Hubel.Training.EarlyStoppingMetric.ValAccuracy;
    public string MetricName => Metric == Hubel.Training.EarlyStoppingMetric.ValLoss ? "validation loss" : "validation accuracy";

    /// <summary>Checks combinations that single options cannot (UsageException, exit code 2).</summary>
    public void Validate()
    {
        if (Nesterov && (Optimizer != "sgd" || Momentum == 0)) throw new UsageException("--nesterov needs --optimizer sgd and --momentum > 0");
        if (Schedule == "multistep" && Milestones.Length == 0) throw new UsageException("--schedule multistep needs --milestones, e.g. --milestones 5,8");
        if (Milestones.Length > 0 && Schedule != "multistep") throw new UsageException("--milestones is for --schedule multistep");
        if (Milestones.Any(m => m < 1) || Milestones.Zip(Milestones.Skip(1)).Any(p => p.First >= p.Second))
            throw new UsageException($"--milestones must be increasing epochs >= 1; got {string.Join(",", Milestones)}");
        if (EarlyStopping > 0 && ValSplit == 0) throw new UsageException("--early-stopping needs a validation split: add --val-split, e.g. --val-split 0.1");
        if (Ensemble > 1 && Resume is not null) throw new UsageException("--ensemble cannot --resume; train the ensemble again");
        if (Schedule == "cosine" && WarmupEpochs >= Epochs) throw new UsageException($"--warmup-epochs ({WarmupEpochs}) must be below --epochs ({Epochs}) for --schedule cosine");
    }

    /// <summary>The settings a checkpoint records (all strings, invariant culture, doubles round-trip exactly).</summary>
    public Dictionary<string, string> ToCheckpoint(string datasetName)
    {
        var d = new Dictionary<string, string>
        {
            ["model"] = Model, ["dataset"] = datasetName, ["batch_size"] = Str(BatchSize),
            ["lr"] = Str(Lr), ["momentum"] = Str(Momentum), ["weight_decay"] = Str(WeightDecay), ["seed"] = Seed.ToString(CultureInfo.InvariantCulture),
            ["optimizer"] = Optimizer, ["nesterov"] = Nesterov ? "true" : "false", ["schedule"] = Schedule, ["step_size"] = Str(StepSize),
            ["gamma"] = Str(Gamma), ["milestones"] = string.Join(",", Milestones), ["warmup_epochs"] = Str(WarmupEpochs),
            ["clip_grad_norm"] = Str(ClipGradNorm), ["label_smoothing"] = Str(LabelSmoothing), ["val_split"] = Str(ValSplit),
            ["early_stopping"] = Str(EarlyStopping), ["early_stopping_metric"] = EarlyStoppingMetric, ["epochs"] = Str(Epochs),
        };
        if (Data is not null) d["data"] = Path.GetFullPath(Data);
        TrainData.AddSettings(d, DataChoice);
        return d;
    }

    /// <summary>These settings with the run-defining ones replaced by a checkpoint's.</summary>
    public TrainSettings WithCheckpoint(Checkpoint.State state)
    {
        string Get(string key) => state.Settings.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"checkpoint setting '{key}' is missing");
        double D(string key) => double.Parse(Get(key), CultureInfo.InvariantCulture);
        int I(string key) => int.Parse(Get(key), CultureInfo.InvariantCulture);
        string Opt(string key, string fallback) => state.Settings.GetValueOrDefault(key, fallback);
        try
        {
            var resumed = this with
            {
                Model = Get("model"), Dataset = Get("dataset"), Data = state.Settings.GetValueOrDefault("data"), DataChoice = TrainData.FromSettings(state.Settings),
                BatchSize = int.Parse(Get("batch_size"), CultureInfo.InvariantCulture), Lr = D("lr"), Momentum = D("momentum"),
                WeightDecay = D("weight_decay"), Seed = ulong.Parse(Get("seed"), CultureInfo.InvariantCulture),
                // Checkpoints from before these settings existed (early `--distributed` runs) take the defaults.
                Optimizer = Opt("optimizer", "sgd"), Nesterov = Opt("nesterov", "false") == "true", Schedule = Opt("schedule", "none"),
                StepSize = int.Parse(Opt("step_size", "5"), CultureInfo.InvariantCulture), Gamma = double.Parse(Opt("gamma", "0.1"), CultureInfo.InvariantCulture),
                Milestones = TrainOptions.ParseMilestones(Opt("milestones", "")), WarmupEpochs = int.Parse(Opt("warmup_epochs", "0"), CultureInfo.InvariantCulture),
                ClipGradNorm = double.Parse(Opt("clip_grad_norm", "0"), CultureInfo.InvariantCulture),
                LabelSmoothing = double.Parse(Opt("label_smoothing", "0"), CultureInfo.InvariantCulture),
                ValSplit = double.Parse(Opt("val_split", "0"), CultureInfo.InvariantCulture),
                EarlyStopping = int.Parse(Opt("early_stopping", "0"), CultureInfo.InvariantCulture),
                EarlyStoppingMetric = Opt("early_stopping_metric", "val-accuracy"),
            };
            if (resumed.ScheduleSpansTheRun && Epochs != I("epochs"))
                throw new UsageException($"--schedule {resumed.Schedule} spans the whole run, which was {Get("epochs")} epochs; resume with --epochs {Get("epochs")}");
            return resumed;
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new InvalidDataException($"checkpoint settings are malformed ({e.Message})");
        }
    }

    private static string Str(int v) => v.ToString(CultureInfo.InvariantCulture);
    private static string Str(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
