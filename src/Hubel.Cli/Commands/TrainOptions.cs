using System.CommandLine;
using Hubel.Models;

namespace Hubel.Cli.Commands;

/// <summary>`hubel train`'s options, kept apart from the command's work so that each feature (data, optimiser,
/// schedule, validation, ...) adds its options here in its own group and reads them into <see cref="TrainSettings"/>.</summary>
internal sealed class TrainOptions
{
    // What to train on.
    public readonly Option<string> Model = Choice(new Option<string>("--model") { Description = $"Architecture: {string.Join(", ", ModelZoo.Names)}.", DefaultValueFactory = _ => "lenet5" }, [.. ModelZoo.Names]);
    public readonly Option<string?> Dataset = Choice(new Option<string?>("--dataset") { Description = "shipped (8,000/2,000 images in the repo) or fashion-mnist (60,000/10,000; from --data or /usr/share/datasets/fashion-mnist). Default: shipped, or fashion-mnist when --data is given." }, "shipped", "fashion-mnist");
    public readonly Option<string?> Data = new("--data") { Description = "Directory with the Fashion-MNIST IDX files (.gz or raw)." };

    // How long and how.
    public readonly Option<int> Epochs = Positive(new Option<int>("--epochs") { Description = "Passes over the training set.", DefaultValueFactory = _ => 10 });
    public readonly Option<int> BatchSize = Positive(new Option<int>("--batch-size") { Description = "Images per SGD step.", DefaultValueFactory = _ => 64 });
    public readonly Option<double> Lr = PositiveReal(new Option<double>("--lr") { Description = "Learning rate.", DefaultValueFactory = _ => 0.01 });
    public readonly Option<double> Momentum = NonNegative(new Option<double>("--momentum") { Description = "SGD momentum.", DefaultValueFactory = _ => 0.9 });
    public readonly Option<double> WeightDecay = NonNegative(new Option<double>("--weight-decay") { Description = "L2 weight decay.", DefaultValueFactory = _ => 0.0 });
    public readonly Option<ulong> Seed = new("--seed") { Description = "Seed for initial weights and data order.", DefaultValueFactory = _ => 0UL };
    public readonly Option<int> Threads = Positive(new Option<int>("--threads") { Description = "CPU threads (default: all cores).", DefaultValueFactory = _ => Environment.ProcessorCount });

    // Output.
    public readonly Option<string?> Out = new("--out") { Description = "Where to save the trained model (.safetensors). Default: runs/<model>-<dataset>.safetensors." };
    public readonly Option<bool> Json = new("--json") { Description = "Print exactly one JSON object per epoch on stdout and nothing else." };
    public readonly Option<bool> Plot = new("--plot") { Description = "Also write <out>-curves.png: loss and accuracy per epoch, train and test." };
    public readonly Option<string?> Resume = new("--resume") { Description = "Continue from a checkpoint (<out>-checkpoint.safetensors, written after every epoch) up to --epochs in total; model, data and hyper-parameters come from the checkpoint." };

    /// <summary>Every option, in the order `hubel train --help` lists them.</summary>
    public IEnumerable<Option> All =>
    [
        Model, Dataset, Data,
        Epochs, BatchSize, Lr, Momentum, WeightDecay, Seed, Threads,
        Out, Json, Plot, Resume,
    ];

    public TrainSettings Read(ParseResult r) => new()
    {
        Model = r.GetValue(Model)!, Dataset = r.GetValue(Dataset), Data = r.GetValue(Data),
        Epochs = r.GetValue(Epochs), BatchSize = r.GetValue(BatchSize), Lr = r.GetValue(Lr), Momentum = r.GetValue(Momentum),
        WeightDecay = r.GetValue(WeightDecay), Seed = r.GetValue(Seed), Threads = r.GetValue(Threads),
        Out = r.GetValue(Out), Json = r.GetValue(Json), Plot = r.GetValue(Plot), Resume = r.GetValue(Resume),
    };

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

    internal static Option<double> NonNegative(Option<double> o)
    {
        o.Validators.Add(r => { var v = r.GetValueOrDefault<double>(); if (!(v >= 0) || double.IsInfinity(v)) r.AddError($"{o.Name} must be a finite number >= 0; got {v}"); });
        return o;
    }
}
