using System.Globalization;
using Hubel.Backends.Cpu;
using Hubel.Data;
using Hubel.Models;
using Hubel.Nn;
using Hubel.Tensors;
using Hubel.Training;
using Spectre.Console;

namespace Hubel.Cli.Commands;

/// <summary>`hubel train --ensemble K`: K members with seeds seed..seed+K-1 (weights and data order; the validation
/// split is shared), each saved as &lt;out&gt;-member&lt;i&gt;.safetensors, then each member's and the ensemble's test
/// accuracy by mean probabilities and by majority vote.</summary>
internal static class TrainEnsembleRun
{
    public static int Run(TrainSettings s, string datasetName, LoadedData loaded, BatchLoader? validation, BatchLoader test, string outPath)
    {
        var split = loaded.Split;
        if (!s.Json)
            Console.WriteLine($"Training an ensemble of {s.Ensemble} {s.Model} models (seeds {s.Seed}..{s.Seed + (ulong)s.Ensemble - 1}) on {datasetName}: " +
                              $"{split.Train.Count:N0} train / {split.Test.Count:N0} test images, {s.Epochs} epochs, batch {s.BatchSize}, {TrainOutput.Describe(s)}, {CpuThreads.Count} threads");
        var result = EnsembleTraining.Train(s.Ensemble, s.Seed, s.Epochs, seed =>
        {
            Init.ManualSeed(seed);
            var net = ModelZoo.Create(s.Model, split.Train.ClassCount, split.Train.Channels);
            var optimizer = TrainSetup.CreateOptimizer(s, net.Parameters());
            TrainData.CheckModelAccepts(net, s.Model, split.Train);
            var train = TrainData.TrainLoader(loaded, s.DataChoice, s.BatchSize, new Rng(seed + 1));
            return (TrainSetup.CreateTrainer(s, net, optimizer, TrainSetup.CreateSchedule(s, optimizer, train.BatchesPerEpoch)), train);
        }, test, validation, s.EarlyStopping, s.Metric, (member, report) =>
            Console.WriteLine(s.Json ? TrainOutput.JsonLine(report, member) : TrainOutput.EpochLine(report, s.Epochs, $"member {member}  ")));

        string stem = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outPath)) ?? ".", Path.GetFileNameWithoutExtension(outPath));
        var info = TrainOutput.ModelInfoFor(s, loaded, datasetName);
        foreach (var m in result.Members)
            TrainOutput.SaveModel($"{stem}-member{m.Index}.safetensors", m.Trainer.Model, info with { Extra = new Dictionary<string, string>(info.Extra) { ["seed"] = m.Seed.ToString(CultureInfo.InvariantCulture) } },
                m.History[^1], m.History[^1].Epoch);
        if (s.Json)
        {
            Console.WriteLine(JsonOut.Object(w =>
            {
                w.WriteStartArray("member_test_accuracy");
                foreach (var m in result.Members) w.WriteNumberValue(Math.Round(m.TestAccuracy, 6));
                w.WriteEndArray();
                w.WriteNumber("ensemble_mean_probability_accuracy", Math.Round(result.AverageAccuracy, 6));
                w.WriteNumber("ensemble_vote_accuracy", Math.Round(result.VoteAccuracy, 6));
            }));
            return CliRunner.Ok;
        }
        var table = new Table().AddColumn("model").AddColumn("seed").AddColumn("test accuracy");
        foreach (var m in result.Members)
            table.AddRow($"member {m.Index}", m.Seed.ToString(CultureInfo.InvariantCulture), m.TestAccuracy.ToString("P2", CultureInfo.InvariantCulture));
        table.AddRow("ensemble (mean probability)", "", result.AverageAccuracy.ToString("P2", CultureInfo.InvariantCulture));
        table.AddRow("ensemble (majority vote)", "", result.VoteAccuracy.ToString("P2", CultureInfo.InvariantCulture));
        Terminal.Tables.Write(table);
        Console.WriteLine($"Members saved to {stem}-member0..{result.Members.Count - 1}.safetensors");
        return CliRunner.Ok;
    }
}
