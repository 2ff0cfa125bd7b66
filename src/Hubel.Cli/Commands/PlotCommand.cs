using System.CommandLine;
using System.Text.Json;
using Hubel.Imaging;
using Hubel.Training;

namespace Hubel.Cli.Commands;

/// <summary>`hubel plot LOG`: the loss and accuracy curves of a `hubel train --json` log (one JSON object per epoch
/// line; a distributed or an ensemble run's log works too) as a PNG, for runs that were started without --plot.</summary>
internal static class PlotCommand
{
    public static Command Create()
    {
        var log = new Argument<string>("LOG") { Description = "The standard output of 'hubel train --json' (one JSON object per line)." };
        var output = new Option<string?>("--out") { Description = "The PNG to write (default: LOG with -curves.png in place of its extension)." };
        var member = new Option<int>("--member") { Description = "For an ensemble run's log: which member's epochs to draw.", DefaultValueFactory = _ => 0 };
        var title = new Option<string?>("--title") { Description = "A title in front of 'loss' and 'accuracy'." };
        var command = new Command("plot", """
            Draw the training curves (loss and accuracy per epoch: train, validation, test) of a log written by
            'hubel train --json', as a PNG.

            Examples:
              hubel train --model resnet20 --dataset fashion-mnist --json > resnet20.jsonl
              hubel plot resnet20.jsonl --title "ResNet-20"
            """) { log, output, member, title };
        command.SetAction(r => Run(r.GetValue(log)!, r.GetValue(output), r.GetValue(member), r.GetValue(title)));
        return command;
    }

    private static int Run(string logPath, string? outPath, int member, string? title)
    {
        if (member < 0) throw new UsageException($"--member must be 0 or more; got {member}");
        var reports = ReadEpochs(logPath, member);
        string png = outPath ?? Path.ChangeExtension(logPath, null) + "-curves.png";
        ImageFile.SavePng(png, TrainingCurves.Render(reports, title));
        Console.WriteLine($"{reports.Count} epochs drawn: {png}");
        return CliRunner.Ok;
    }

    /// <summary>The epoch lines of a log: objects with an "epoch" number (and, in an ensemble's log, the given "member").
    /// Other lines (summaries, progress) are skipped; a line that is not JSON at all is an error naming it.</summary>
    internal static List<EpochReport> ReadEpochs(string logPath, int member)
    {
        if (!File.Exists(logPath)) throw new FileNotFoundException($"no training log at {logPath}", logPath);
        var reports = new List<EpochReport>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(logPath))
        {
            lineNumber++;
            string text = line.Trim();
            if (text.Length == 0 || !text.StartsWith('{')) continue;
            JsonDocument doc;
            try { doc = JsonDocument.Parse(text); }
            catch (JsonException e) { throw new InvalidDataException($"{logPath}, line {lineNumber}: not a JSON object ({e.Message})"); }
            using (doc)
            {
                var o = doc.RootElement;
                if (o.ValueKind != JsonValueKind.Object || !o.TryGetProperty("epoch", out var epoch) || epoch.ValueKind != JsonValueKind.Number) continue;
                if (o.TryGetProperty("member", out var m) && m.ValueKind == JsonValueKind.Number && m.GetInt32() != member) continue;
                double N(string name) => o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;
                reports.Add(new EpochReport(epoch.GetInt32(), N("train_loss"), N("train_accuracy"), N("test_loss"), N("test_accuracy"),
                    N("images_per_second"), N("seconds"), N("val_loss"), N("val_accuracy"), N("learning_rate")));
            }
        }
        if (reports.Count == 0)
            throw new InvalidDataException($"{logPath} has no epoch lines{(member > 0 ? $" for member {member}" : "")}; give the output of 'hubel train --json'");
        return reports;
    }
}
