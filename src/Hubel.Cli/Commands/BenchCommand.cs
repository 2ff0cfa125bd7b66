using System.CommandLine;
using Hubel.Backends.Cpu;
using Hubel.Cli.Bench;

namespace Hubel.Cli.Commands;

/// <summary>`hubel bench WORKLOAD`: Hubel and a peer (PyTorch or TorchSharp) on the peers' exact workloads in one run,
/// with the ratio of the two (above 1: Hubel better).</summary>
internal static class BenchCommand
{
    private static readonly Dictionary<string, Action<BenchContext, int>> Workloads = new()
    {
        [GemmBench.Name] = (ctx, _) => GemmBench.Run(ctx),
        [ConvBench.Name] = (ctx, _) => ConvBench.Run(ctx),
        [TrainWorkloads.LeNet] = (ctx, epochs) => FashionMnistTraining.Run(ctx, TrainWorkloads.LeNetRecipe, epochs),
        [TrainWorkloads.Nielsen] = (ctx, epochs) => FashionMnistTraining.Run(ctx, TrainWorkloads.NielsenRecipe, epochs),
        [ResNetTrainBench.Name] = (ctx, _) => ResNetTrainBench.Run(ctx),
        [InferBench.Name] = (ctx, _) => InferBench.Run(ctx),
    };

    private static string WorkloadList => string.Join(", ", Workloads.Keys) + ", all";

    public static Command Create()
    {
        var workload = new Argument<string>("workload") { Description = $"What to measure: {WorkloadList}." };
        workload.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<string>();
            if (v != "all" && !Workloads.ContainsKey(v)) r.AddError($"unknown workload '{v}'; expected one of: {WorkloadList}");
        });
        var peer = new Option<string?>("--peer") { Description = "The system measured beside Hubel: none, pytorch or torchsharp (default: pytorch when installed, none with --quick)." };
        peer.AcceptOnlyFromAmong("none", "pytorch", "torchsharp");
        var peersDir = new Option<string?>("--peers-dir") { Description = "The peers' folder (default: ../shared/peers next to the repository)." };
        var data = new Option<string?>("--data") { Description = $"Fashion-MNIST folder for the training workloads (default: {Hubel.Data.FashionMnist.DefaultSystemDirectory})." };
        var json = new Option<bool>("--json") { Description = "One JSON object per line: {\"workload\",\"case\",\"hubel\",\"peer\",\"ratio\",\"unit\"}; ratio > 1 means Hubel is better." };
        var quick = new Option<bool>("--quick") { Description = "A smoke run in seconds: tiny shapes, a few steps, Hubel only. Not a measurement." };
        var runs = Positive(new Option<int>("--runs") { Description = "Training workloads: alternate Hubel and the peer this many times; medians are reported.", DefaultValueFactory = _ => 1 });
        var epochs = Positive(new Option<int>("--epochs") { Description = "Epochs per run for lenet-train and nielsen-train.", DefaultValueFactory = _ => 1 });
        var seed = new Option<int>("--seed") { Description = "Seed of the first run (run i uses seed + i).", DefaultValueFactory = _ => 0 };
        var threads = Positive(new Option<int>("--threads") { Description = "CPU threads for Hubel (the peers use 2).", DefaultValueFactory = _ => 2 });
        var profile = new Option<bool>("--profile") { Description = "Training workloads: print to stderr a table of where the measured steps' time goes (forward per op, backward per grad_fn, optimiser), as HUBEL_PROFILE=1 does." };
        var command = new Command("bench", """
            Measure Hubel against a peer on the workloads of ../shared/peers (same models, batch sizes, optimiser
            settings and shapes), both in this run, and print Hubel's figure, the peer's and the ratio (above 1: Hubel
            is better; peer/Hubel for times, Hubel/peer for rates). Progress goes to stderr.

            Examples:
              hubel bench gemm
              hubel bench all --json > bench.jsonl
              hubel bench conv --peer none --quick
            """) { workload, peer, peersDir, data, json, quick, runs, epochs, seed, threads, profile };
        command.SetAction(r => Run(r.GetValue(workload)!, r.GetValue(peer), r.GetValue(peersDir), r.GetValue(data), r.GetValue(json),
            r.GetValue(quick), r.GetValue(runs), r.GetValue(epochs), r.GetValue(seed), r.GetValue(threads), r.GetValue(profile)));
        return command;
    }

    private static int Run(string workload, string? peerArg, string? peersDirArg, string? data, bool json, bool quick, int runs, int epochs, int seed, int threads, bool profile)
    {
        string peersDir = Path.GetFullPath(peersDirArg ?? DefaultPeersDir());
        var peer = peerArg switch
        {
            "none" => PeerKind.None,
            "pytorch" => PeerKind.PyTorch,
            "torchsharp" => PeerKind.TorchSharp,
            _ when quick => PeerKind.None,
            _ when File.Exists(Path.Combine(peersDir, "train_bench.py")) && PeerProcess.PyTorchInstalled() => PeerKind.PyTorch,
            _ => PeerKind.None,
        };
        if (quick && peer != PeerKind.None)
            throw new UsageException("--quick runs Hubel alone on shrunken workloads, which no peer runs; use --peer none (or drop --quick)");
        if (peerArg is null && peer == PeerKind.None && !quick)
            BenchContext.Progress($"no peer: PyTorch is not installed or {peersDir} is missing (run ../shared/peers/setup.sh); measuring Hubel alone");
        PeerProcess.EnsureAvailable(peer, peersDir);
        if (data is not null && !Directory.Exists(data)) throw new UsageException($"--data: folder '{data}' does not exist");
        CpuThreads.Count = threads;
        profile |= Hubel.Analysis.OpProfiler.Enabled;
        Hubel.Analysis.OpProfiler.Enabled = profile;

        var report = new BenchReport(json);
        var ctx = new BenchContext(peer, peersDir, data, quick, seed, runs, report.Add, profile);
        string peerName = peer switch { PeerKind.PyTorch => "PyTorch", PeerKind.TorchSharp => "TorchSharp", _ => "peer" };
        foreach (var (name, body) in Workloads)
        {
            if (workload != "all" && workload != name) continue;
            body(ctx, epochs);
            report.Flush(peerName);
        }
        return CliRunner.Ok;
    }

    /// <summary>../shared/peers next to the repository root (the folder holding Hubel.slnx), looked for from the
    /// working directory and then from the program's own folder; a git worktree further down finds the nearest
    /// shared/peers above it.</summary>
    private static string DefaultPeersDir()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Hubel.slnx")))
                {
                    for (var up = dir.Parent; up is not null; up = up.Parent)
                        if (File.Exists(Path.Combine(up.FullName, "shared", "peers", "train_bench.py"))) return Path.Combine(up.FullName, "shared", "peers");
                    return Path.Combine(dir.FullName, "..", "shared", "peers");
                }
        return Path.Combine(Directory.GetCurrentDirectory(), "..", "shared", "peers");
    }

    private static Option<int> Positive(Option<int> option)
    {
        option.Validators.Add(r => { int v = r.GetValueOrDefault<int>(); if (v < 1) r.AddError($"{option.Name} must be >= 1; got {v}"); });
        return option;
    }
}
