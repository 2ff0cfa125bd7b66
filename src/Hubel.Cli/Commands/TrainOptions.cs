using System.CommandLine;
using Hubel.Models;

namespace Hubel.Cli.Commands;

/// <summary>`hubel train`'s options, kept apart from the command's work so that each feature (data, optimiser,
/// schedule, validation, ...) adds its options here in its own group and reads them into <see cref="TrainSettings"/>.</summary>
internal sealed class TrainOptions
{
    // What to train on.
    public readonly Option<string> Model = Choice(new Option<string>("--model") { Description = $"Architecture: {string.Join(", ", ModelZoo.Names)}.", DefaultValueFactory = _ => "lenet5" }, [.. ModelZoo.Names]);
    public readonly Option<string?> Dataset = Choice(new Option<string?>("--dataset") { Description = TrainData.DatasetHelp }, TrainData.DatasetNames);
    public readonly Option<string?> Data = new("--data") { Description = "Directory with the dataset: Fashion-MNIST IDX files (.gz or raw), a folder of class sub-folders, or CIFAR binary batches." };
    public readonly TrainDataOptions DataOptions = new();   // --image-size, --channels, --augment, --expand (added by AddTo)

    // How long and how.
    public readonly Option<int> Epochs = Positive(new Option<int>("--epochs") { Description = "Passes over the training set.", DefaultValueFactory = _ => 10 });
    public readonly Option<int> BatchSize = Positive(new Option<int>("--batch-size") { Description = "Images per SGD step.", DefaultValueFactory = _ => 64 });
    public readonly Option<double> Lr = PositiveReal(new Option<double>("--lr") { Description = "Learning rate.", DefaultValueFactory = _ => 0.01 });
    public readonly Option<double> Momentum = NonNegative(new Option<double>("--momentum") { Description = "SGD momentum.", DefaultValueFactory = _ => 0.9 });
    public readonly Option<double> WeightDecay = NonNegative(new Option<double>("--weight-decay") { Description = "L2 weight decay.", DefaultValueFactory = _ => 0.0 });
    public readonly Option<ulong> Seed = new("--seed") { Description = "Seed for initial weights and data order.", DefaultValueFactory = _ => 0UL };
    public readonly Option<int> Threads = Positive(new Option<int>("--threads") { Description = "CPU threads (default: all cores).", DefaultValueFactory = _ => Environment.ProcessorCount });

    // Optimiser, schedule and regularisation.
    public readonly Option<string> Optimizer = Choice(new Option<string>("--optimizer") { Description = "sgd, adam, adamw, rmsprop or adagrad (PyTorch's defaults for everything but --lr, --momentum and --weight-decay; AdamW's decay is decoupled).", DefaultValueFactory = _ => "sgd" }, "sgd", "adam", "adamw", "rmsprop", "adagrad");
    public readonly Option<bool> Nesterov = new("--nesterov") { Description = "Nesterov momentum (SGD only; needs --momentum > 0)." };
    public readonly Option<string> Schedule = Choice(new Option<string>("--schedule") { Description = "Learning-rate schedule: none; step (×--gamma every --step-size epochs); multistep (×--gamma at each of --milestones); cosine (to 0 over the run); onecycle (per batch, up to --lr and down).", DefaultValueFactory = _ => "none" }, "none", "step", "multistep", "cosine", "onecycle");
    public readonly Option<int> StepSize = Positive(new Option<int>("--step-size") { Description = "Epochs between decays for --schedule step.", DefaultValueFactory = _ => 5 });
    public readonly Option<double> Gamma = PositiveReal(new Option<double>("--gamma") { Description = "Decay factor for --schedule step and multistep.", DefaultValueFactory = _ => 0.1 });
    public readonly Option<string?> Milestones = new("--milestones") { Description = "Comma-separated increasing epochs for --schedule multistep, e.g. 5,8." };
    public readonly Option<int> WarmupEpochs = NonNegative(new Option<int>("--warmup-epochs") { Description = "Linear learning-rate warm-up over this many epochs before the schedule.", DefaultValueFactory = _ => 0 });
    public readonly Option<double> ClipGradNorm = NonNegative(new Option<double>("--clip-grad-norm") { Description = "Clip the gradients' global 2-norm to this before each step (0: off).", DefaultValueFactory = _ => 0.0 });
    public readonly Option<double> LabelSmoothing = UnitInterval(new Option<double>("--label-smoothing") { Description = "Label smoothing of the training loss, in [0, 1).", DefaultValueFactory = _ => 0.0 });

    // Validation, model selection and ensembles.
    public readonly Option<double> ValSplit = UnitInterval(new Option<double>("--val-split") { Description = "Hold this fraction of the training set out (seeded) for a per-epoch validation report, --early-stopping and <out>-best.safetensors (0: none).", DefaultValueFactory = _ => 0.0 });
    public readonly Option<int> EarlyStopping = NonNegative(new Option<int>("--early-stopping") { Description = "Stop after this many epochs without a better validation accuracy (needs --val-split; 0: off).", DefaultValueFactory = _ => 0 });
    public readonly Option<string> EarlyStoppingMetric = Choice(new Option<string>("--early-stopping-metric") { Description = "What --early-stopping and <out>-best.safetensors watch: val-accuracy (higher is better) or val-loss (lower is better).", DefaultValueFactory = _ => "val-accuracy" }, "val-accuracy", "val-loss");
    public readonly Option<int> Ensemble = Positive(new Option<int>("--ensemble") { Description = "Train this many models with seeds seed..seed+K-1 and report each one's and the ensemble's test accuracy (mean probabilities and majority vote).", DefaultValueFactory = _ => 1 });

    // Output.
    public readonly Option<string?> Out = new("--out") { Description = "Where to save the trained model (.safetensors). Default: runs/<model>-<dataset>.safetensors." };
    public readonly Option<bool> Json = new("--json") { Description = "Print exactly one JSON object per epoch on stdout and nothing else." };
    public readonly Option<bool> Plot = new("--plot") { Description = "Also write <out>-curves.png: loss and accuracy per epoch, train and test." };
    public readonly Option<string?> Resume = new("--resume") { Description = "Continue from a checkpoint (<out>-checkpoint.safetensors, written after every epoch) up to --epochs in total; model, data and hyper-parameters come from the checkpoint." };

    /// <summary>Adds every option to `train`, in the order --help lists them.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in All) command.Options.Add(option);
        DataOptions.AddTo(command);
    }

    /// <summary>Every option but the data options, in the order `hubel train --help` lists them.</summary>
    public IEnumerable<Option> All =>
    [
        Model, Dataset, Data,
        Epochs, BatchSize, Lr, Momentum, WeightDecay, Seed, Threads,
        Optimizer, Nesterov, Schedule, StepSize, Gamma, Milestones, WarmupEpochs, ClipGradNorm, LabelSmoothing,
        ValSplit, EarlyStopping, EarlyStoppingMetric, Ensemble,
        Out, Json, Plot, Resume,
    ];

    public TrainSettings Read(ParseResult r) => new()
    {
        Model = r.GetValue(Model)!, Dataset = r.GetValue(Dataset), Data = r.GetValue(Data), DataChoice = DataOptions.Read(r),
        Epochs = r.GetValue(Epochs), BatchSize = r.GetValue(BatchSize), Lr = r.GetValue(Lr), Momentum = r.GetValue(Momentum),
        WeightDecay = r.GetValue(WeightDecay), Seed = r.GetValue(Seed), Threads = r.GetValue(Threads),
        Optimizer = r.GetValue(Optimizer)!, Nesterov = r.GetValue(Nesterov), Schedule = r.GetValue(Schedule)!, StepSize = r.GetValue(StepSize),
        Gamma = r.GetValue(Gamma), Milestones = ParseMilestones(r.GetValue(Milestones)), WarmupEpochs = r.GetValue(WarmupEpochs),
        ClipGradNorm = r.GetValue(ClipGradNorm), LabelSmoothing = r.GetValue(LabelSmoothing),
        ValSplit = r.GetValue(ValSplit), EarlyStopping = r.GetValue(EarlyStopping), EarlyStoppingMetric = r.GetValue(EarlyStoppingMetric)!, Ensemble = r.GetValue(Ensemble),
        Out = r.GetValue(Out), Json = r.GetValue(Json), Plot = r.GetValue(Plot), Resume = r.GetValue(Resume),
    };

    /// <summary>"5,8" → [5, 8]; null or empty → []. Order and range are checked with the other settings.</summary>
    internal static int[] ParseMilestones(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var result = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out result[i]))
                throw new UsageException($"--milestones must be comma-separated whole numbers, e.g. 5,8; got '{text}'");
        return result;
    }

    private static Option<T> Choice<T>(Option<T> o, params string[] values)
    {
        o.AcceptOnlyFromAmong(values);
        return o;
    }

    internal static Option<int> Positive(Option<int> o)
    {
        o.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError($"{o.Name} must be >= 1; got {r.GetValueOrDefault<int>()}"); });
        return o;
    }

    internal static Option<double> PositiveReal(Option<double> o)
    {
        o.Validators.Add(r => { var v = r.GetValueOrDefault<double>(); if (!(v > 0) || double.IsInfinity(v)) r.AddError($"{o.Name} must be a finite number > 0; got {v}"); });
        return o;
    }

    internal static Option<int> NonNegative(Option<int> o)
    {
        o.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 0) r.AddError($"{o.Name} must be >= 0; got {r.GetValueOrDefault<int>()}"); });
        return o;
    }

    internal static Option<double> UnitInterval(Option<double> o)
    {
        o.Validators.Add(r => { var v = r.GetValueOrDefault<double>(); if (!(v >= 0 && v < 1)) r.AddError($"{o.Name} must be in [0, 1); got {v}"); });
        return o;
    }

    internal static Option<double> NonNegative(Option<double> o)
    {
        o.Validators.Add(r => { var v = r.GetValueOrDefault<double>(); if (!(v >= 0) || double.IsInfinity(v)) r.AddError($"{o.Name} must be a finite number >= 0; got {v}"); });
        return o;
    }
}
