using System.CommandLine;
using System.Globalization;
using Hubel.Backends.Cpu;
using Hubel.Data;
using Hubel.Distributed;
using Hubel.Models;
using Hubel.Nn;
using Hubel.Optim;
using Hubel.Serialization;
using Hubel.Tensors;
using Hubel.Training;

namespace Hubel.Cli.Commands;

/// <summary>`hubel train --distributed`: data-parallel training, one process per rank, started by
/// `mpirun -np N hubel train --distributed ...` (Open MPI). Without mpirun it runs as a group of one.
/// --batch-size is the global batch, split evenly over the ranks; rank 0 alone prints, checkpoints and saves.</summary>
internal static class DistributedTraining
{
    /// <summary>Adds --distributed and its tuning options to `train`; returns the switch.</summary>
    public static Option<bool> AddOptions(Command train)
    {
        var distributed = new Option<bool>("--distributed") { Description = "Data-parallel training over the processes of `mpirun -np N` (Open MPI); --batch-size is the global batch. See docs/SCALING.md." };
        var bucket = new Option<int>("--bucket-kb") { Description = "With --distributed: gradient bucket size in KiB (one all-reduce per bucket).", DefaultValueFactory = _ => 1024 };
        bucket.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError($"--bucket-kb must be >= 1; got {r.GetValueOrDefault<int>()}"); });
        var noOverlap = new Option<bool>("--no-overlap") { Description = "With --distributed: all-reduce after backward instead of during it (to measure what overlap hides)." };
        var subset = new Option<int>("--train-subset") { Description = "With --distributed: train on the first N training images only (0: all).", DefaultValueFactory = _ => 0 };
        subset.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 0) r.AddError($"--train-subset must be >= 0; got {r.GetValueOrDefault<int>()}"); });
        train.Options.Add(distributed);
        train.Options.Add(bucket);
        train.Options.Add(noOverlap);
        train.Options.Add(subset);
        return distributed;
    }

    private sealed record Settings(string Model, string Dataset, string? Data, int Epochs, int BatchSize, double Lr, double Momentum,
        double WeightDecay, ulong Seed, int Threads, string? Out, bool Json, string? Resume, int BucketKb, bool Overlap, int TrainSubset);

    public static int Run(ParseResult r)
    {
        var s = new Settings(r.GetValue<string>("--model")!, r.GetValue<string?>("--dataset") ?? (r.GetValue<string?>("--data") is null ? "shipped" : "fashion-mnist"),
            r.GetValue<string?>("--data"), r.GetValue<int>("--epochs"), r.GetValue<int>("--batch-size"), r.GetValue<double>("--lr"),
            r.GetValue<double>("--momentum"), r.GetValue<double>("--weight-decay"), r.GetValue<ulong>("--seed"), r.GetValue<int>("--threads"),
            r.GetValue<string?>("--out"), r.GetValue<bool>("--json"), r.GetValue<string?>("--resume"), r.GetValue<int>("--bucket-kb"),
            !r.GetValue<bool>("--no-overlap"), r.GetValue<int>("--train-subset"));
        if (r.GetValue<bool>("--plot")) throw new UsageException("--plot is not supported with --distributed; plot the JSON lines instead");
        using ICommunicator comm = MpiCommunicator.LaunchedByMpirun ? MpiCommunicator.Create() : new SingleProcessCommunicator();
        try
        {
            return Train(s, comm);
        }
        catch (Exception e) when (comm.WorldSize > 1)
        {
            // The other ranks are (or will be) blocked in a collective: stop the whole job instead of leaving them waiting.
            Console.Error.WriteLine($"error on rank {comm.Rank} of {comm.WorldSize}: {e.Message}");
            comm.Abort(CliRunner.RuntimeError);
            throw;
        }
    }

    private static int Train(Settings s, ICommunicator comm)
    {
        CpuThreads.Count = s.Threads;
        bool lead = comm.Rank == 0;
        Checkpoint.State? resumed = null;
        if (s.Resume is not null)
        {
            resumed = Checkpoint.ReadState(s.Resume);
            s = WithCheckpointSettings(s, resumed);
            if (s.Epochs <= resumed.Epoch)
                throw new UsageException($"--epochs ({s.Epochs}) must exceed the {resumed.Epoch} epoch(s) the checkpoint has already trained");
        }
        if (s.BatchSize % comm.WorldSize != 0)
            throw new UsageException($"--batch-size {s.BatchSize} is the global batch and must be a multiple of the {comm.WorldSize} ranks");
        var split = s.Dataset == "shipped" ? FashionMnist.LoadShipped() : FashionMnist.Load(s.Data ?? FashionMnist.DefaultSystemDirectory);
        var trainSet = s.TrainSubset > 0 && s.TrainSubset < split.Train.Count ? split.Train.Subset([.. Enumerable.Range(0, s.TrainSubset)]) : split.Train;

        Init.ManualSeed(s.Seed);
        var net = ModelZoo.Create(s.Model, split.Train.ClassCount, split.Train.Channels);
        var optimizer = new Sgd(net.Parameters(), s.Lr, s.Momentum, s.WeightDecay);
        var dataOrder = new Rng(s.Seed + 1);   // unused by the sampler (seeded per epoch); kept so checkpoints stay loadable by plain `train`
        var sampler = new DistributedSampler(trainSet.Count, s.BatchSize, comm.WorldSize, comm.Rank, s.Seed);
        var train = new ShardLoader(trainSet, sampler);
        var reducer = new GradientReducer(comm, optimizer.Parameters, s.BucketKb * 1024, s.Overlap);
        var trainer = new DistributedTrainer(net, optimizer, comm, reducer);
        string outPath = s.Out ?? Path.Combine("runs", $"{s.Model}-{s.Dataset}.safetensors");
        string checkpointPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outPath)) ?? ".", Path.GetFileNameWithoutExtension(outPath) + "-checkpoint.safetensors");

        var reports = new List<EpochReport>();
        int firstEpoch = 1;
        if (resumed is not null)
        {
            // Every rank reads the checkpoint (the momentum buffers are per rank but equal); rank 0's weights are then broadcast.
            Checkpoint.Restore(s.Resume!, net, optimizer, dataOrder);
            reports.AddRange(resumed.History);
            firstEpoch = resumed.Epoch + 1;
        }
        trainer.BroadcastFromRank0();
        if (lead && !s.Json)
            Console.WriteLine($"Training {s.Model} ({net.ParameterCount():N0} parameters) on {s.Dataset}: {trainSet.Count:N0} train images over {comm.WorldSize} rank(s) ({comm.Name}), " +
                              $"global batch {s.BatchSize} ({sampler.LocalBatchSize} per rank), {sampler.StepsPerEpoch} steps per epoch, {reducer.BucketCount} gradient bucket(s), " +
                              $"{CpuThreads.Count} thread(s) per rank{(resumed is null ? "" : $", resuming after epoch {resumed.Epoch}")}");
        var test = new BatchLoader(split.Test, 1000, shuffle: false);
        for (int epoch = firstEpoch; epoch <= s.Epochs; epoch++)
        {
            var stats = trainer.RunEpoch(epoch, train);
            bool identical = ModelSync.WeightsIdentical(comm, net);
            if (!identical) throw new InvalidOperationException($"the ranks' weights differ after epoch {epoch}; the gradient all-reduce is not consistent");
            if (!lead) continue;
            var eval = Trainer.Evaluate(net, test);
            var report = new EpochReport(epoch, stats.TrainLoss, stats.TrainAccuracy, eval.Loss, eval.Accuracy, stats.ImagesPerSecond, stats.Seconds);
            reports.Add(report);
            Checkpoint.Save(checkpointPath, net, optimizer, dataOrder, epoch, SettingsOf(s), reports);
            Console.WriteLine(s.Json ? JsonLine(report, stats, comm.WorldSize, identical) : string.Create(CultureInfo.InvariantCulture,
                $"epoch {epoch}/{s.Epochs}  train loss {report.TrainLoss:F4}  train acc {report.TrainAccuracy:P2}  test acc {report.TestAccuracy:P2}  " +
                $"{report.ImagesPerSecond:N0} img/s  {report.Seconds:F1} s  all-reduce wait {stats.ExposedCommSeconds:F2} s  ranks {comm.WorldSize}"));
        }
        if (lead)
        {
            ModelFile.Save(outPath, net, new ModelInfo(s.Model, split.Train.ClassNames, split.Train.Channels, split.Train.Height, split.Train.Width,
                Normalization.FashionMnistMean, Normalization.FashionMnistStd)
            {
                Extra = new Dictionary<string, string>
                {
                    ["dataset"] = s.Dataset, ["world_size"] = comm.WorldSize.ToString(CultureInfo.InvariantCulture),
                    ["test_accuracy"] = reports[^1].TestAccuracy.ToString("F4", CultureInfo.InvariantCulture),
                    ["epochs"] = s.Epochs.ToString(CultureInfo.InvariantCulture), ["seed"] = s.Seed.ToString(CultureInfo.InvariantCulture),
                },
            });
            if (!s.Json) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Final test accuracy {reports[^1].TestAccuracy:P2}. Model saved to {outPath}"));
        }
        comm.Barrier();   // nobody finalises MPI while rank 0 is still writing
        return CliRunner.Ok;
    }

    private static Dictionary<string, string> SettingsOf(Settings s)
    {
        var d = new Dictionary<string, string>
        {
            ["model"] = s.Model, ["dataset"] = s.Dataset, ["batch_size"] = s.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["lr"] = s.Lr.ToString("R", CultureInfo.InvariantCulture), ["momentum"] = s.Momentum.ToString("R", CultureInfo.InvariantCulture),
            ["weight_decay"] = s.WeightDecay.ToString("R", CultureInfo.InvariantCulture), ["seed"] = s.Seed.ToString(CultureInfo.InvariantCulture),
            ["train_subset"] = s.TrainSubset.ToString(CultureInfo.InvariantCulture), ["distributed"] = "true",
        };
        if (s.Data is not null) d["data"] = Path.GetFullPath(s.Data);
        return d;
    }

    private static Settings WithCheckpointSettings(Settings s, Checkpoint.State state)
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
                TrainSubset = int.Parse(state.Settings.GetValueOrDefault("train_subset", "0"), CultureInfo.InvariantCulture),
            };
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new InvalidDataException($"checkpoint settings are malformed ({e.Message})");
        }
    }

    private static string JsonLine(EpochReport r, DistributedEpochStats stats, int worldSize, bool identical) => JsonOut.Object(w =>
    {
        w.WriteNumber("epoch", r.Epoch);
        w.WriteNumber("world_size", worldSize);
        w.WriteNumber("train_loss", Math.Round(r.TrainLoss, 6));
        w.WriteNumber("test_accuracy", Math.Round(r.TestAccuracy, 6));
        w.WriteNumber("images_per_second", Math.Round(r.ImagesPerSecond, 1));
        w.WriteNumber("seconds", Math.Round(r.Seconds, 3));
        w.WriteNumber("steps", stats.Steps);
        w.WriteNumber("allreduce_wait_seconds", Math.Round(stats.ExposedCommSeconds, 4));
        w.WriteBoolean("weights_identical", identical);
    });
}
