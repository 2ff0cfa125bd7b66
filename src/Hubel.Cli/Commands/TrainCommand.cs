using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Hubel.Backends.Cpu;
using Hubel.Data;
using Hubel.Imaging;
using Hubel.Models;
using Hubel.Nn;
using Hubel.Optim;
using Hubel.Serialization;
using Hubel.Tensors;
using Hubel.Training;
using Spectre.Console;

namespace Hubel.Cli.Commands;

/// <summary>`hubel train`: the main job. With no options it trains LeNet-5 on the Fashion-MNIST subset shipped
/// in the repository, shows progress, prints the test accuracy and saves the model as safetensors.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = $"Architecture: {string.Join(", ", ModelZoo.Names)}.", DefaultValueFactory = _ => "lenet5" };
        model.AcceptOnlyFromAmong([.. ModelZoo.Names]);
        var dataset = new Option<string?>("--dataset") { Description = "shipped (8,000/2,000 images in the repo) or fashion-mnist (60,000/10,000; from --data or /usr/share/datasets/fashion-mnist). Default: shipped, or fashion-mnist when --data is given." };
        dataset.AcceptOnlyFromAmong("shipped", "fashion-mnist");
        var data = new Option<string?>("--data") { Description = "Directory with the Fashion-MNIST IDX files (.gz or raw)." };
        var epochs = Positive(new Option<int>("--epochs") { Description = "Passes over the training set.", DefaultValueFactory = _ => 10 });
        var batch = Positive(new Option<int>("--batch-size") { Description = "Images per SGD step.", DefaultValueFactory = _ => 64 });
        var lr = PositiveReal(new Option<double>("--lr") { Description = "Learning rate.", DefaultValueFactory = _ => 0.01 });
        var momentum = NonNegative(new Option<double>("--momentum") { Description = "SGD momentum.", DefaultValueFactory = _ => 0.9 });
        var decay = NonNegative(new Option<double>("--weight-decay") { Description = "L2 weight decay.", DefaultValueFactory = _ => 0.0 });
        var seed = new Option<ulong>("--seed") { Description = "Seed for initial weights and data order.", DefaultValueFactory = _ => 0UL };
        var threads = Positive(new Option<int>("--threads") { Description = "CPU threads (default: all cores).", DefaultValueFactory = _ => Environment.ProcessorCount });
        var output = new Option<string?>("--out") { Description = "Where to save the trained model (.safetensors). Default: runs/<model>-<dataset>.safetensors." };
        var json = new Option<bool>("--json") { Description = "Print exactly one JSON object per epoch on stdout and nothing else." };
        var resume = new Option<string?>("--resume") { Description = "Continue from a checkpoint (<out>-checkpoint.safetensors, written after every epoch) up to --epochs in total; model, data and hyper-parameters come from the checkpoint." };
        var deterministic = new Option<bool>("--deterministic") { Description = "Bitwise-reproducible at any --threads: split reductions into fixed chunks (a little slower)." };
        var plot = new Option<bool>("--plot") { Description = "Also write <out>-curves.png: loss and accuracy per epoch, train and test." };

        var command = new Command("train", """
            Train a model and report test accuracy per epoch.

            Examples:
              hubel train
              hubel train --epochs 10 --lr 0.02 --plot
              hubel train --epochs 20 --resume runs/lenet5-shipped-checkpoint.safetensors
              hubel train --dataset fashion-mnist --epochs 5 --batch-size 64 --lr 0.01 --momentum 0.9 --seed 0 --json
            """)
        { model, dataset, data, epochs, batch, lr, momentum, decay, seed, threads, output, json, plot, resume, deterministic };

        command.SetAction(r =>
        {
            Determinism.Enabled = r.GetValue(deterministic);
            return Run(new TrainSettings(
            r.GetValue(model)!, r.GetValue(dataset), r.GetValue(data), r.GetValue(epochs), r.GetValue(batch), r.GetValue(lr),
            r.GetValue(momentum), r.GetValue(decay), r.GetValue(seed), r.GetValue(threads), r.GetValue(output), r.GetValue(json), r.GetValue(plot), r.GetValue(resume)));
        });
        return command;
    }

    private sealed record TrainSettings(string Model, string? Dataset, string? Data, int Epochs, int BatchSize, double Lr,
        double Momentum, double WeightDecay, ulong Seed, int Threads, string? Out, bool Json, bool Plot, string? Resume);

    private static int Run(TrainSettings s)
    {
        CpuThreads.Count = s.Threads;
        Checkpoint.State? resumed = null;
        if (s.Resume is not null)
        {
            resumed = Checkpoint.ReadState(s.Resume);
            s = WithCheckpointSettings(s, resumed);
            if (s.Epochs <= resumed.Epoch)
                throw new UsageException($"--epochs ({s.Epochs}) must exceed the {resumed.Epoch} epoch(s) the checkpoint has already trained");
        }
        string datasetName = s.Dataset ?? (s.Data is null ? "shipped" : "fashion-mnist");
        if (datasetName == "shipped" && s.Data is not null)
            throw new UsageException("--data reads the full Fashion-MNIST; use it with --dataset fashion-mnist (or leave --dataset out)");
        var split = datasetName == "shipped"
            ? FashionMnist.LoadShipped()
            : FashionMnist.Load(s.Data ?? FashionMnist.DefaultSystemDirectory);

        Init.ManualSeed(s.Seed);
        var net = ModelZoo.Create(s.Model, split.Train.ClassCount, split.Train.Channels);
        var optimizer = new Sgd(net.Parameters(), s.Lr, s.Momentum, s.WeightDecay);
        var trainer = new Trainer(net, optimizer);
        var dataOrder = new Rng(s.Seed + 1);
        var train = new BatchLoader(split.Train, s.BatchSize, shuffle: true, rng: dataOrder);
        var test = new BatchLoader(split.Test, 1000, shuffle: false);
        string outPath = s.Out ?? Path.Combine("runs", $"{s.Model}-{datasetName}.safetensors");

        if (!s.Json)
            Console.WriteLine($"Training {s.Model} ({net.ParameterCount():N0} parameters) on {datasetName}: {split.Train.Count:N0} train / {split.Test.Count:N0} test images, " +
                              $"{s.Epochs} epochs, batch {s.BatchSize}, lr {s.Lr}, momentum {s.Momentum}, {CpuThreads.Count} threads");
        var reports = new List<EpochReport>();
        int firstEpoch = 1;
        if (resumed is not null)
        {
            Checkpoint.Restore(s.Resume!, net, optimizer, dataOrder);
            reports.AddRange(resumed.History);
            firstEpoch = resumed.Epoch + 1;
            if (!s.Json) Console.WriteLine($"Resuming from {s.Resume} after epoch {resumed.Epoch}");
        }
        string checkpointPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outPath)) ?? ".", Path.GetFileNameWithoutExtension(outPath) + "-checkpoint.safetensors");
        for (int epoch = firstEpoch; epoch <= s.Epochs; epoch++)
        {
            var report = s.Json || !Terminal.IsRich
                ? trainer.RunEpoch(epoch, train, test)
                : RunWithProgressBar(trainer, epoch, s.Epochs, train, test);
            reports.Add(report);
            Checkpoint.Save(checkpointPath, net, optimizer, dataOrder, epoch, SettingsOf(s, datasetName), reports);
            if (s.Json) Console.WriteLine(JsonLine(report));
            else Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"epoch {epoch}/{s.Epochs}  train loss {report.TrainLoss:F4}  train acc {report.TrainAccuracy:P2}  test acc {report.TestAccuracy:P2}  {report.ImagesPerSecond:N0} img/s  {report.Seconds:F1} s"));
        }

        ModelFile.Save(outPath, net, new ModelInfo(s.Model, split.Train.ClassNames, split.Train.Channels, split.Train.Height, split.Train.Width,
            Normalization.FashionMnistMean, Normalization.FashionMnistStd)
        {
            Extra = new Dictionary<string, string>
            {
                ["dataset"] = datasetName,
                ["test_accuracy"] = reports[^1].TestAccuracy.ToString("F4", CultureInfo.InvariantCulture),
                ["epochs"] = s.Epochs.ToString(CultureInfo.InvariantCulture),
                ["seed"] = s.Seed.ToString(CultureInfo.InvariantCulture),
            },
        });
        var pictures = WritePictures(outPath, s, net, test, split.Train.ClassNames, reports, datasetName);
        if (!s.Json)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Final test accuracy {reports[^1].TestAccuracy:P2}. Model saved to {outPath}; pictures: {string.Join(", ", pictures)}"));
        return CliRunner.Ok;
    }

    private static Dictionary<string, string> SettingsOf(TrainSettings s, string datasetName)
    {
        var d = new Dictionary<string, string>
        {
            ["model"] = s.Model, ["dataset"] = datasetName, ["batch_size"] = s.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["lr"] = s.Lr.ToString("R", CultureInfo.InvariantCulture), ["momentum"] = s.Momentum.ToString("R", CultureInfo.InvariantCulture),
            ["weight_decay"] = s.WeightDecay.ToString("R", CultureInfo.InvariantCulture), ["seed"] = s.Seed.ToString(CultureInfo.InvariantCulture),
        };
        if (s.Data is not null) d["data"] = Path.GetFullPath(s.Data);
        return d;
    }

    private static TrainSettings WithCheckpointSettings(TrainSettings s, Checkpoint.State state)
    {
        string Get(string key) => state.Settings.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"checkpoint setting '{key}' is missing");
        double D(string key) => double.Parse(Get(key), CultureInfo.InvariantCulture);
        try
        {
            return s with
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

    /// <summary>The confusion matrix of the final model (always) and the training curves (with --plot), next to the model.</summary>
    private static List<string> WritePictures(string modelPath, TrainSettings s, Module net, BatchLoader test, IReadOnlyList<string> classes,
        List<EpochReport> reports, string datasetName)
    {
        string stem = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath)) ?? ".", Path.GetFileNameWithoutExtension(modelPath));
        var written = new List<string>();
        var final = Trainer.Evaluate(net, test);
        string confusion = stem + "-confusion.png";
        ImageFile.SavePng(confusion, ConfusionMatrixPlot.Render(final.Confusion, classes,
            string.Create(CultureInfo.InvariantCulture, $"{s.Model} on {datasetName}: {final.Accuracy:P2}")));
        written.Add(confusion);
        if (s.Plot)
        {
            (double, double) P(EpochReport r, double v) => (r.Epoch, v);
            var loss = LineChart.Render("loss", [
                new Series("train", reports.Select(r => P(r, r.TrainLoss)).ToList(), LineChart.Blue),
                new Series("test", reports.Select(r => P(r, r.TestLoss)).ToList(), LineChart.Orange)], "epoch");
            var accuracy = LineChart.Render("accuracy", [
                new Series("train", reports.Select(r => P(r, r.TrainAccuracy)).ToList(), LineChart.Blue),
                new Series("test", reports.Select(r => P(r, r.TestAccuracy)).ToList(), LineChart.Orange)], "epoch");
            string curves = stem + "-curves.png";
            ImageFile.SavePng(curves, LineChart.SideBySide(loss, accuracy));
            written.Add(curves);
        }
        return written;
    }

    private static EpochReport RunWithProgressBar(Trainer trainer, int epoch, int epochs, BatchLoader train, BatchLoader test)
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
                });
                task.Description = $"epoch {epoch}/{epochs}  evaluating";
            });
        return report!;
    }

    private static string JsonLine(EpochReport r) => JsonOut.Object(w =>
    {
        w.WriteNumber("epoch", r.Epoch);
        w.WriteNumber("train_loss", Math.Round(r.TrainLoss, 6));
        w.WriteNumber("test_accuracy", Math.Round(r.TestAccuracy, 6));
        w.WriteNumber("images_per_second", Math.Round(r.ImagesPerSecond, 1));
        w.WriteNumber("seconds", Math.Round(r.Seconds, 3));
    });

    private static Option<int> Positive(Option<int> o)
    {
        o.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError($"{o.Name} must be >= 1; got {r.GetValueOrDefault<int>()}"); });
        return o;
    }

    private static Option<double> PositiveReal(Option<double> o)
    {
        o.Validators.Add(r => { var v = r.GetValueOrDefault<double>(); if (!(v > 0) || double.IsInfinity(v)) r.AddError($"{o.Name} must be a finite number > 0; got {v}"); });
        return o;
    }

    private static Option<double> NonNegative(Option<double> o)
    {
        o.Validators.Add(r => { var v = r.GetValueOrDefault<double>(); if (!(v >= 0) || double.IsInfinity(v)) r.AddError($"{o.Name} must be a finite number >= 0; got {v}"); });
        return o;
    }
}
