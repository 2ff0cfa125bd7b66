using System.Globalization;
using Hubel.Data;
using Hubel.Imaging;
using Hubel.Nn;
using Hubel.Serialization;
using Hubel.Training;
using Spectre.Console;

namespace Hubel.Cli.Commands;

/// <summary>What `hubel train` prints and saves: epoch lines (text or JSON), the progress bar and model files.</summary>
internal static class TrainOutput
{
    /// <summary>The optimiser and schedule in a few words, for the run's header line.</summary>
    public static string Describe(TrainSettings s)
    {
        string text = s.Optimizer switch
        {
            "sgd" => string.Create(CultureInfo.InvariantCulture, $"SGD lr {s.Lr} momentum {s.Momentum}{(s.Nesterov ? " (Nesterov)" : "")}"),
            var o => string.Create(CultureInfo.InvariantCulture, $"{o} lr {s.Lr}"),
        };
        if (s.WeightDecay > 0) text += string.Create(CultureInfo.InvariantCulture, $" weight decay {s.WeightDecay}");
        if (s.Schedule != "none") text += $", {s.Schedule} schedule";
        if (s.WarmupEpochs > 0) text += $", {s.WarmupEpochs} warm-up epochs";
        if (s.ClipGradNorm > 0) text += string.Create(CultureInfo.InvariantCulture, $", gradient norm ≤ {s.ClipGradNorm}");
        if (s.LabelSmoothing > 0) text += string.Create(CultureInfo.InvariantCulture, $", label smoothing {s.LabelSmoothing}");
        return text;
    }

    public static ModelInfo ModelInfoFor(TrainSettings s, LoadedData loaded, string datasetName)
    {
        var train = loaded.Split.Train;
        return new(s.Model, train.ClassNames, train.Channels, train.Height, train.Width, loaded.Normalization.Mean.Average(), loaded.Normalization.Std.Average())
        {
            PerChannel = loaded.Normalization.Channels > 1 ? loaded.Normalization : null,
            Extra = new Dictionary<string, string>
            {
                ["dataset"] = datasetName,
                ["seed"] = s.Seed.ToString(CultureInfo.InvariantCulture),
            },
        };
    }

    /// <summary>Saves a model file (loadable by eval/predict) recording the epoch and the accuracies it reached.</summary>
    public static void SaveModel(string path, Module net, ModelInfo info, EpochReport report, int epochs)
    {
        var extra = new Dictionary<string, string>(info.Extra)
        {
            ["test_accuracy"] = report.TestAccuracy.ToString("F4", CultureInfo.InvariantCulture),
            ["epochs"] = epochs.ToString(CultureInfo.InvariantCulture),
        };
        if (report.HasValidation) extra["val_accuracy"] = report.ValAccuracy.ToString("F4", CultureInfo.InvariantCulture);
        ModelFile.Save(path, net, info with { Extra = extra });
    }

    public static string EpochLine(EpochReport r, int epochs, string prefix = "") => string.Create(CultureInfo.InvariantCulture,
        $"{prefix}epoch {r.Epoch}/{epochs}  train loss {r.TrainLoss:F4}  train acc {r.TrainAccuracy:P2}  ") +
        (r.HasValidation ? string.Create(CultureInfo.InvariantCulture, $"val loss {r.ValLoss:F4}  val acc {r.ValAccuracy:P2}  ") : "") +
        string.Create(CultureInfo.InvariantCulture, $"test acc {r.TestAccuracy:P2}  lr {r.LearningRate:G4}  {r.ImagesPerSecond:N0} img/s  {r.Seconds:F1} s");

    /// <summary>One JSON object per epoch; val_loss/val_accuracy only with a validation split, member only in ensembles.</summary>
    public static string JsonLine(EpochReport r, int? member = null) => JsonOut.Object(w =>
    {
        if (member is { } m) w.WriteNumber("member", m);
        w.WriteNumber("epoch", r.Epoch);
        w.WriteNumber("train_loss", Math.Round(r.TrainLoss, 6));
        if (r.HasValidation)
        {
            w.WriteNumber("val_loss", Math.Round(r.ValLoss, 6));
            w.WriteNumber("val_accuracy", Math.Round(r.ValAccuracy, 6));
        }
        w.WriteNumber("test_accuracy", Math.Round(r.TestAccuracy, 6));
        w.WriteNumber("images_per_second", Math.Round(r.ImagesPerSecond, 1));
        w.WriteNumber("seconds", Math.Round(r.Seconds, 3));
    });

    public static EpochReport RunWithProgressBar(Trainer trainer, int epoch, int epochs, BatchLoader train, BatchLoader test, BatchLoader? validation)
    {
        EpochReport? report = null;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask($"epoch {epoch}/{epochs}", maxValue: train.BatchesPerEpoch);
                report = trainer.RunEpoch(epoch, train, test, p =>
                {
                    task.Value = p.Batch;
                    task.Description = string.Create(CultureInfo.InvariantCulture,
                        $"epoch {epoch}/{epochs}  loss {p.Loss:F4}  acc {p.Accuracy:P1}  {p.ImagesPerSecond:N0} img/s");
                }, validation);
                task.Description = $"epoch {epoch}/{epochs}  evaluating";
            });
        return report!;
    }
}
