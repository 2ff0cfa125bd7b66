using System.CommandLine;
using System.Globalization;
using Hubel.Backends.Cpu;
using Hubel.Data;
using Hubel.Data.Augmentation;
using Hubel.Distributed;
using Hubel.Imaging;
using Hubel.Models;
using Hubel.Nn;
using Hubel.Tensors;
using Hubel.Training;

namespace Hubel.Cli.Commands;

/// <summary>`hubel train --distributed`: data-parallel training, one process per rank, started by
/// `mpirun -np N hubel train --distributed ...` (Open MPI). Without mpirun it runs as a group of one.
/// --batch-size is the global batch, split evenly over the ranks; rank 0 alone prints, evaluates, checkpoints and saves.
/// Every other `train` option means what it means in one process (the optimiser, schedule and trainer come from
/// <see cref="TrainSetup"/>, the data from <see cref="TrainData"/>); only --ensemble is refused.</summary>
internal static class DistributedTraining
{
    /// <summary>The options that mean something only with --distributed.</summary>
    private static readonly string[] DistributedOnly = ["--bucket-kb", "--no-overlap", "--train-subset", "--sync-bn"];

    /// <summary>Adds --distributed and its tuning options to `train`; returns the switch.</summary>
    public static Option<bool> AddOptions(Command train)
    {
        var distributed = new Option<bool>("--distributed") { Description = "Data-parallel training over the processes of `mpirun -np N` (Open MPI); --batch-size is the global batch. See docs/SCALING.md." };
        var bucket = new Option<int>("--bucket-kb") { Description = "With --distributed: gradient bucket size in KiB (one all-reduce per bucket).", DefaultValueFactory = _ => 1024 };
        bucket.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError($"--bucket-kb must be >= 1; got {r.GetValueOrDefault<int>()}"); });
        var noOverlap = new Option<bool>("--no-overlap") { Description = "With --distributed: all-reduce after backward instead of during it (to measure what overlap hides)." };
        var subset = new Option<int>("--train-subset") { Description = "With --distributed: train on the first N training images only (0: all).", DefaultValueFactory = _ => 0 };
        subset.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 0) r.AddError($"--train-subset must be >= 0; got {r.GetValueOrDefault<int>()}"); });
        var syncBn = new Option<bool>("--sync-bn") { Description = "With --distributed: synchronised batch norm, statistics over the global batch of all ranks (as one process with the whole batch)." };
        foreach (var o in new Option[] { distributed, bucket, noOverlap, subset, syncBn }) train.Options.Add(o);
        return distributed;
    }

    /// <summary>Fails when an option that only means something with --distributed was given without it.</summary>
    public static void RefuseWithoutDistributed(ParseResult r)
    {
        foreach (var name in DistributedOnly)
            if (r.GetResult(name) is System.CommandLine.Parsing.OptionResult { Implicit: false })
                throw new UsageException($"{name} applies to data-parallel training only; add --distributed (and start it with mpirun -np N)");
    }

    private sealed record DistributedRun(TrainSettings S, int BucketKb, bool Overlap, int TrainSubset, bool SyncBn);

    public static int Run(ParseResult r, TrainSettings settings)
    {
        var run = new DistributedRun(settings, r.GetValue<int>("--bucket-kb"), !r.GetValue<bool>("--no-overlap"), r.GetValue<int>("--train-subset"), r.GetValue<bool>("--sync-bn"));
        if (settings.Ensemble > 1)
            throw new UsageException("--ensemble trains independent models one after the other and cannot be combined with --distributed; run one job per member with different --seed values");
        using ICommunicator comm = MpiCommunicator.LaunchedByMpirun ? MpiCommunicator.Create() : new SingleProcessCommunicator();
        try
        {
            return Train(run, comm);
        }
        catch (Exception e) when (comm.WorldSize > 1)
        {
            // The other ranks are (or will be) blocked in a collective: stop the whole job instead of leaving them waiting.
            Console.Error.WriteLine($"error on rank {comm.Rank} of {comm.WorldSize}: {e.Message}");
            comm.Abort(CliRunner.RuntimeError);
            throw;
        }
    }

    private static int Train(DistributedRun run, ICommunicator comm)
    {
        var s = run.S;
        CpuThreads.Count = s.Threads;
        bool lead = comm.Rank == 0;
        Checkpoint.State? resumed = null;
        if (s.Resume is not null)
        {
            resumed = Checkpoint.ReadState(s.Resume);
            s = s.WithCheckpoint(resumed);
            run = run with
            {
                S = s, TrainSubset = int.Parse(resumed.Settings.GetValueOrDefault("train_subset", "0"), CultureInfo.InvariantCulture),
                SyncBn = resumed.Settings.TryGetValue("sync_bn", out var sync) ? sync == "true" : run.SyncBn,
            };
            if (s.Epochs <= resumed.Epoch)
                throw new UsageException($"--epochs ({s.Epochs}) must exceed the {resumed.Epoch} epoch(s) the checkpoint has already trained");
        }
        s.Validate();
        if (s.BatchSize % comm.WorldSize != 0)
            throw new UsageException($"--batch-size {s.BatchSize} is the global batch and must be a multiple of the {comm.WorldSize} ranks");
        string datasetName = s.Dataset ?? (s.Data is null ? "shipped" : "fashion-mnist");
        if (datasetName == "shipped" && s.Data is not null)
            throw new UsageException("--data reads the full Fashion-MNIST; use it with --dataset fashion-mnist (or leave --dataset out)");

        // The same data as one process would train on (every rank loads it; only rank 0 says so).
        var loaded = TrainData.Load(datasetName, s.Data, s.DataChoice, s.Seed);
        var (modelHeight, modelWidth) = TrainData.ModelImageSize(s.Model, loaded.Split.Train.Height, loaded.Split.Train.Width);
        if ((modelHeight, modelWidth) != (loaded.Split.Train.Height, loaded.Split.Train.Width))
            loaded = loaded with
            {
                Split = new TrainTestSplit(TrainData.ResizeForModel(loaded.Split.Train, s.Model, modelHeight, modelWidth, !lead ? TextWriter.Null : s.Json ? Console.Error : Console.Out),
                    ImageResize.Bilinear(loaded.Split.Test, modelHeight, modelWidth)),
            };
        BatchLoader? validation = null;
        if (s.ValSplit > 0)
        {
            var (kept, held) = ValidationSplit.HoldOut(loaded.Split.Train, s.ValSplit, s.Seed + 2);
            loaded = loaded with { Split = new TrainTestSplit(kept, loaded.Split.Test) };
            validation = new BatchLoader(held, 1000, shuffle: false, null, loaded.Normalization);
        }
        var trainSet = loaded.Split.Train;
        if (run.TrainSubset > 0 && run.TrainSubset < trainSet.Count) trainSet = trainSet.Subset([.. Enumerable.Range(0, run.TrainSubset)]);
        if (s.DataChoice.Expand) trainSet = ShiftExpansion.Expand(trainSet);

        Init.ManualSeed(s.Seed);
        var net = ModelZoo.Create(s.Model, trainSet.ClassCount, trainSet.Channels);
        TrainData.CheckModelAccepts(net, s.Model, trainSet);
        if (run.SyncBn && SyncBatchNorm.Convert(net, comm) == 0)
            throw new UsageException($"--sync-bn: model {s.Model} has no batch norm layers to synchronise");
        var optimizer = TrainSetup.CreateOptimizer(s, net.Parameters());
        var dataOrder = new Rng(s.Seed + 1);   // unused by the sampler (seeded per epoch); kept so checkpoints stay loadable by plain `train`
        var sampler = new DistributedSampler(trainSet.Count, s.BatchSize, comm.WorldSize, comm.Rank, s.Seed);
        var train = new ShardLoader(trainSet, sampler, loaded.Normalization)
        {
            Augmentation = s.DataChoice.Augment is null ? null : AugmentationSpec.Parse(s.DataChoice.Augment), AugmentationSeed = s.Seed + 3,
        };
        var schedule = TrainSetup.CreateSchedule(s, optimizer, sampler.StepsPerEpoch);
        var reducer = new GradientReducer(comm, optimizer.Parameters, run.BucketKb * 1024, run.Overlap);
        var trainer = new DistributedTrainer(TrainSetup.CreateTrainer(s, net, optimizer, schedule), comm, reducer);
        string outPath = s.Out ?? Path.Combine("runs", $"{s.Model}-{datasetName}.safetensors");
        string stem = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outPath)) ?? ".", Path.GetFileNameWithoutExtension(outPath));
        string checkpointPath = stem + "-checkpoint.safetensors", bestPath = stem + "-best.safetensors";

        var reports = new List<EpochReport>();
        int firstEpoch = 1;
        if (resumed is not null)
        {
            // Every rank reads the checkpoint (optimiser state is per rank but equal); rank 0's weights are then broadcast.
            Checkpoint.Restore(s.Resume!, net, optimizer, dataOrder, schedule);
            reports.AddRange(resumed.History);
            firstEpoch = resumed.Epoch + 1;
        }
        trainer.BroadcastFromRank0();
        if (lead && !s.Json)
            Console.WriteLine($"Training {s.Model} ({net.ParameterCount():N0} parameters) on {datasetName}: {trainSet.Count:N0} train images over {comm.WorldSize} rank(s) ({comm.Name}), " +
                              $"global batch {s.BatchSize} ({sampler.LocalBatchSize} per rank), {sampler.StepsPerEpoch} steps per epoch, {TrainOutput.Describe(s)}, " +
                              $"{(run.SyncBn ? "synchronised batch norm, " : "")}{reducer.BucketCount} gradient bucket(s), " +
                              $"{CpuThreads.Count} thread(s) per rank{(resumed is null ? "" : $", resuming after epoch {resumed.Epoch}")}");
        var test = TrainData.TestLoader(loaded);
        var stopping = validation is null ? null : new EarlyStopping(Math.Max(s.EarlyStopping, 1), s.Metric);
        foreach (var r in reports) stopping?.Observe(r);
        var info = TrainOutput.ModelInfoFor(s, loaded, datasetName);
        info = info with { Extra = new Dictionary<string, string>(info.Extra) { ["world_size"] = comm.WorldSize.ToString(CultureInfo.InvariantCulture) } };
        for (int epoch = firstEpoch; epoch <= s.Epochs; epoch++)
        {
            double learningRate = optimizer.LearningRate;
            var stats = trainer.RunEpoch(epoch, train);
            bool identical = ModelSync.WeightsIdentical(comm, net);
            if (!identical) throw new InvalidOperationException($"the ranks' weights differ after epoch {epoch}; the gradient all-reduce is not consistent");
            bool stop = false;
            if (lead)
            {
                var val = validation is null ? null : Trainer.Evaluate(net, validation);
                var eval = Trainer.Evaluate(net, test);
                var report = new EpochReport(epoch, stats.TrainLoss, stats.TrainAccuracy, eval.Loss, eval.Accuracy, stats.ImagesPerSecond, stats.Seconds,
                    val?.Loss ?? double.NaN, val?.Accuracy ?? double.NaN, learningRate);
                reports.Add(report);
                Checkpoint.Save(checkpointPath, net, optimizer, dataOrder, epoch, CheckpointSettings(run, datasetName), reports, schedule);
                if (stopping?.Observe(report) == true) TrainOutput.SaveModel(bestPath, net, info, report, epoch);
                Console.WriteLine(s.Json ? JsonLine(report, stats, comm.WorldSize, identical)
                    : TrainOutput.EpochLine(report, s.Epochs) + string.Create(CultureInfo.InvariantCulture, $"  all-reduce wait {stats.ExposedCommSeconds:F2} s  ranks {comm.WorldSize}"));
                stop = s.EarlyStopping > 0 && stopping!.ShouldStop;
                if (stop && !s.Json) Console.WriteLine($"Early stopping: no better {s.MetricName} for {s.EarlyStopping} epochs (best: epoch {stopping!.BestEpoch})");
            }
            if (s.EarlyStopping > 0 && StopBroadcast(comm, stop)) break;   // rank 0 decides for all
        }
        if (lead)
        {
            TrainOutput.SaveModel(outPath, net, info, reports[^1], reports[^1].Epoch);
            var pictures = TrainCommand.WritePictures(outPath, s, net, test, loaded.Split.Train.ClassNames, reports, datasetName);
            if (!s.Json)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Final test accuracy {reports[^1].TestAccuracy:P2}. Model saved to {outPath}") +
                    (stopping is null ? "" : string.Create(CultureInfo.InvariantCulture, $"; best {s.MetricName} {stopping.BestValue:G4} at epoch {stopping.BestEpoch}, saved to {bestPath}")) +
                    $"; pictures: {string.Join(", ", pictures)}");
        }
        comm.Barrier();   // nobody finalises MPI while rank 0 is still writing
        return CliRunner.Ok;
    }

    private static bool StopBroadcast(ICommunicator comm, bool stop)
    {
        Span<byte> flag = [(byte)(stop ? 1 : 0)];
        comm.Broadcast(flag, root: 0);
        return flag[0] != 0;
    }

    /// <summary>The single-process settings plus what only a distributed run has, so --resume rebuilds the same run
    /// (and plain `train --resume` can still read the checkpoint).</summary>
    private static Dictionary<string, string> CheckpointSettings(DistributedRun run, string datasetName)
    {
        var d = run.S.ToCheckpoint(datasetName);
        d["train_subset"] = run.TrainSubset.ToString(CultureInfo.InvariantCulture);
        d["distributed"] = "true";
        d["sync_bn"] = run.SyncBn ? "true" : "false";
        return d;
    }

    private static string JsonLine(EpochReport r, DistributedEpochStats stats, int worldSize, bool identical) => JsonOut.Object(w =>
    {
        w.WriteNumber("epoch", r.Epoch);
        w.WriteNumber("world_size", worldSize);
        w.WriteNumber("train_loss", Math.Round(r.TrainLoss, 6));
        if (r.HasValidation)
        {
            w.WriteNumber("val_loss", Math.Round(r.ValLoss, 6));
            w.WriteNumber("val_accuracy", Math.Round(r.ValAccuracy, 6));
        }
        w.WriteNumber("test_accuracy", Math.Round(r.TestAccuracy, 6));
        w.WriteNumber("learning_rate", r.LearningRate);
        w.WriteNumber("images_per_second", Math.Round(r.ImagesPerSecond, 1));
        w.WriteNumber("seconds", Math.Round(r.Seconds, 3));
        w.WriteNumber("steps", stats.Steps);
        w.WriteNumber("allreduce_wait_seconds", Math.Round(stats.ExposedCommSeconds, 4));
        w.WriteBoolean("weights_identical", identical);
    });
}
