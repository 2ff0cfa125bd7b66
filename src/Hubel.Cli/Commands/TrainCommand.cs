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
        var options = new TrainOptions();
        var command = new Command("train", """
            Train a model and report test accuracy per epoch.

            Examples:
              hubel train
              hubel train --epochs 10 --lr 0.02 --plot
              hubel train --epochs 20 --resume runs/lenet5-shipped-checkpoint.safetensors
              hubel train --dataset fashion-mnist --epochs 5 --batch-size 64 --lr 0.01 --momentum 0.9 --seed 0 --json
              hubel train --optimizer adamw --lr 0.001 --weight-decay 0.05 --schedule cosine --warmup-epochs 1
              hubel train --schedule onecycle --lr 0.05 --clip-grad-norm 5 --label-smoothing 0.1
              hubel train --schedule multistep --milestones 5,8 --gamma 0.2 --nesterov
              hubel train --epochs 30 --val-split 0.1 --early-stopping 3     (also writes <out>-best.safetensors)
              hubel train --ensemble 5 --epochs 5
              hubel train --dataset folder --data my-pictures --image-size 28 --augment shift:2,flip
              hubel train --expand --epochs 5
            """);
        options.AddTo(command);
        var distributed = DistributedTraining.AddOptions(command);
        var deterministic = new Option<bool>("--deterministic") { Description = "Bitwise-reproducible at any --threads: split reductions into fixed chunks (a little slower)." };
        command.Options.Add(deterministic);
        command.SetAction(r =>
        {
            Determinism.Enabled = r.GetValue(deterministic);
            if (r.GetValue(distributed)) return DistributedTraining.Run(r, options.Read(r));
            DistributedTraining.RefuseWithoutDistributed(r);
            return Run(options.Read(r));
        });
        return command;
    }

    private static int Run(TrainSettings s)
    {
        CpuThreads.Count = s.Threads;
        Checkpoint.State? resumed = null;
        if (s.Resume is not null)
        {
            resumed = Checkpoint.ReadState(s.Resume);
            s = s.WithCheckpoint(resumed);
            if (s.Epochs <= resumed.Epoch)
                throw new UsageException($"--epochs ({s.Epochs}) must exceed the {resumed.Epoch} epoch(s) the checkpoint has already trained");
        }
        s.Validate();
        string datasetName = s.Dataset ?? (s.Data is null ? "shipped" : "fashion-mnist");
        if (datasetName == "shipped" && s.Data is not null)
            throw new UsageException("--data reads the full Fashion-MNIST; use it with --dataset fashion-mnist (or leave --dataset out)");
        var loaded = TrainData.Load(datasetName, s.Data, s.DataChoice, s.Seed);
        var split = loaded.Split;

        // Models built for larger images (AlexNet, VGG, GoogLeNet, DeepFace) get the images resized to the size they need.
        var (modelHeight, modelWidth) = TrainData.ModelImageSize(s.Model, split.Train.Height, split.Train.Width);
        if ((modelHeight, modelWidth) != (split.Train.Height, split.Train.Width))
        {
            split = new TrainTestSplit(TrainData.ResizeForModel(split.Train, s.Model, modelHeight, modelWidth, s.Json ? Console.Error : Console.Out),
                ImageResize.Bilinear(split.Test, modelHeight, modelWidth));
            loaded = loaded with { Split = split };
        }
        BatchLoader? validation = null;
        if (s.ValSplit > 0)
        {
            var (kept, held) = ValidationSplit.HoldOut(split.Train, s.ValSplit, s.Seed + 2);
            loaded = loaded with { Split = new TrainTestSplit(kept, split.Test) };
            validation = new BatchLoader(held, 1000, shuffle: false, null, loaded.Normalization);
        }
        var test = TrainData.TestLoader(loaded);
        string outPath = s.Out ?? Path.Combine("runs", $"{s.Model}-{datasetName}.safetensors");
        if (s.Ensemble > 1) return TrainEnsembleRun.Run(s, datasetName, loaded, validation, test, outPath);

        Init.ManualSeed(s.Seed);
        var net = ModelZoo.Create(s.Model, split.Train.ClassCount, split.Train.Channels);
        var optimizer = TrainSetup.CreateOptimizer(s, net.Parameters());
        TrainData.CheckModelAccepts(net, s.Model, split.Train);
        var dataOrder = new Rng(s.Seed + 1);
        var train = TrainData.TrainLoader(loaded, s.DataChoice, s.BatchSize, dataOrder);
        var schedule = TrainSetup.CreateSchedule(s, optimizer, train.BatchesPerEpoch);
        var trainer = TrainSetup.CreateTrainer(s, net, optimizer, schedule);

        if (!s.Json)
            Console.WriteLine($"Training {s.Model} ({net.ParameterCount():N0} parameters) on {datasetName}: {train.Count:N0} train / " +
                              (validation is null ? "" : $"{validation.Count:N0} validation / ") + $"{split.Test.Count:N0} test images, " +
                              $"{s.Epochs} epochs, batch {s.BatchSize}, {TrainOutput.Describe(s)}, {CpuThreads.Count} threads");
        var reports = new List<EpochReport>();
        int firstEpoch = 1;
        if (resumed is not null)
        {
            Checkpoint.Restore(s.Resume!, net, optimizer, dataOrder, schedule);
            reports.AddRange(resumed.History);
            firstEpoch = resumed.Epoch + 1;
            if (!s.Json) Console.WriteLine($"Resuming from {s.Resume} after epoch {resumed.Epoch}");
        }
        var stopping = validation is null ? null : new EarlyStopping(Math.Max(s.EarlyStopping, 1), s.Metric);
        foreach (var r in reports) stopping?.Observe(r);                  // a resumed run continues from its history
        string stem = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outPath)) ?? ".", Path.GetFileNameWithoutExtension(outPath));
        string checkpointPath = stem + "-checkpoint.safetensors", bestPath = stem + "-best.safetensors";
        var info = TrainOutput.ModelInfoFor(s, loaded, datasetName);
        for (int epoch = firstEpoch; epoch <= s.Epochs; epoch++)
        {
            var report = s.Json || !Terminal.IsRich
                ? trainer.RunEpoch(epoch, train, test, validation: validation)
                : TrainOutput.RunWithProgressBar(trainer, epoch, s.Epochs, train, test, validation);
            reports.Add(report);
            Checkpoint.Save(checkpointPath, net, optimizer, dataOrder, epoch, s.ToCheckpoint(datasetName), reports, schedule);
            if (stopping?.Observe(report) == true) TrainOutput.SaveModel(bestPath, net, info, report, epoch);
            Console.WriteLine(s.Json ? TrainOutput.JsonLine(report) : TrainOutput.EpochLine(report, s.Epochs));
            if (s.EarlyStopping > 0 && stopping!.ShouldStop)
            {
                if (!s.Json) Console.WriteLine($"Early stopping: no better {s.MetricName} for {s.EarlyStopping} epochs (best: epoch {stopping.BestEpoch})");
                break;
            }
        }

        TrainOutput.SaveModel(outPath, net, info, reports[^1], reports[^1].Epoch);
        var pictures = WritePictures(outPath, s, net, test, split.Train.ClassNames, reports, datasetName);
        if (!s.Json)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Final test accuracy {reports[^1].TestAccuracy:P2}. Model saved to {outPath}") +
                (stopping is null ? "" : string.Create(CultureInfo.InvariantCulture, $"; best {s.MetricName} {stopping.BestValue:G4} at epoch {stopping.BestEpoch}, saved to {bestPath}")) +
                $"; pictures: {string.Join(", ", pictures)}");
        return CliRunner.Ok;
    }

    /// <summary>The confusion matrix of the final model (always) and the training curves (with --plot), next to the model.</summary>
    internal static List<string> WritePictures(string modelPath, TrainSettings s, Module net, BatchLoader test, IReadOnlyList<string> classes,
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
            string curves = stem + "-curves.png";
            ImageFile.SavePng(curves, TrainingCurves.Render(reports));
            written.Add(curves);
        }
        return written;
    }
}
