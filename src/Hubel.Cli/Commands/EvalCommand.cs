using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Hubel.Data;
using Hubel.Imaging;
using Hubel.Serialization;
using Hubel.Training;
using Spectre.Console;

namespace Hubel.Cli.Commands;

/// <summary>`hubel eval --model FILE`: accuracy, per-class precision/recall/F1 and the confusion matrix (table and PNG).</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A model saved by 'hubel train' (.safetensors).", Required = true };
        var dataset = new Option<string?>("--dataset") { Description = TrainData.DatasetHelp };
        dataset.AcceptOnlyFromAmong(TrainData.DatasetNames);
        var data = new Option<string?>("--data") { Description = "Directory with the dataset (Fashion-MNIST IDX files, a folder of class sub-folders, or CIFAR binary batches)." };
        var output = new Option<string?>("--out") { Description = "Where to write confusion-matrix.png (default: next to the model)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object and nothing else." };
        var tta = new Option<string>("--tta")
        {
            Description = "Test-time augmentation: none, flip (the image and its mirror image), or ten-crop[:P] (the notes' ten crops: " +
                "corner and centre windows of the image padded by P pixels, default 2, and their mirror images); the class comes from the mean softmax.",
            DefaultValueFactory = _ => "none",
        };
        var command = new Command("eval", """
            Evaluate a trained model on a test set: accuracy, per-class precision, recall and F1, and the confusion
            matrix as a table and as a PNG.

            Examples:
              hubel eval --model runs/lenet5-shipped.safetensors
              hubel eval --model lenet.safetensors --dataset fashion-mnist --json
              hubel eval --model resnet20.safetensors --dataset fashion-mnist --tta ten-crop:2
            """) { model, dataset, data, output, json, tta };
        command.SetAction(r => Run(r.GetValue(model)!, r.GetValue(dataset), r.GetValue(data), r.GetValue(output), r.GetValue(json),
            ParseTta(r.GetValue(tta)!)));
        return command;
    }

    private static TestTimeAugmentation ParseTta(string spec)
    {
        try { return TestTimeAugmentation.Parse(spec); }
        catch (ArgumentException e) { throw new UsageException($"--tta {e.Message.Split(" (Parameter")[0]}"); }
    }

    private static int Run(string modelPath, string? datasetName, string? dataDir, string? outPath, bool json, TestTimeAugmentation tta)
    {
        var (net, info) = ModelFile.Load(modelPath);
        datasetName ??= dataDir is null ? "shipped" : "fashion-mnist";
        if (datasetName == "shipped" && dataDir is not null) throw new UsageException("--data reads the full Fashion-MNIST; use it with --dataset fashion-mnist");
        var test = TrainData.EvalSet(datasetName, dataDir, info);
        // A model that `hubel train` fed resized images (VGG, AlexNet, GoogLeNet on 28x28) gets the same resize here.
        if (TrainData.ModelImageSize(info.Architecture, test.Height, test.Width) == (info.Height, info.Width))
            test = TrainData.ResizeForModel(test, info.Architecture, info.Height, info.Width, json ? Console.Error : Console.Out);
        if (test.Channels != info.Channels || test.Height != info.Height || test.Width != info.Width || test.ClassCount != info.ClassNames.Count)
            throw new InvalidDataException($"the model expects {info.Channels}x{info.Height}x{info.Width} images in {info.ClassNames.Count} classes; {datasetName} has {test.Channels}x{test.Height}x{test.Width} in {test.ClassCount}");
        var eval = tta.Evaluate(net, new BatchLoader(test, 1000, shuffle: false, null, info.InputNormalization));
        var metrics = ClassMetrics.FromConfusion(eval.Confusion, info.ClassNames);
        string png = outPath ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath)) ?? ".", "confusion-matrix.png");
        ImageFile.SavePng(png, ConfusionMatrixPlot.Render(eval.Confusion, info.ClassNames,
            string.Create(CultureInfo.InvariantCulture, $"{info.Architecture} on {datasetName}: {eval.Accuracy:P2}")));
        if (json)
        {
            int k = info.ClassNames.Count;
            Console.WriteLine(JsonOut.Object(w =>
            {
                w.WriteString("model", modelPath);
                w.WriteString("dataset", datasetName);
                w.WriteNumber("images", eval.Count);
                w.WriteString("tta", tta.ToString());
                w.WriteNumber("views", tta.ViewCount);
                w.WriteNumber("accuracy", Math.Round(eval.Accuracy, 6));
                w.WriteNumber("loss", Math.Round(eval.Loss, 6));
                w.WriteStartArray("classes");
                foreach (var m in metrics)
                {
                    w.WriteStartObject();
                    w.WriteNumber("index", m.Class);
                    w.WriteString("name", m.Name);
                    w.WriteNumber("support", m.Support);
                    w.WriteNumber("precision", Math.Round(m.Precision, 6));
                    w.WriteNumber("recall", Math.Round(m.Recall, 6));
                    w.WriteNumber("f1", Math.Round(m.F1, 6));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("confusion");
                for (int i = 0; i < k; i++)
                {
                    w.WriteStartArray();
                    for (int j = 0; j < k; j++) w.WriteNumberValue(eval.Confusion[i, j]);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
                w.WriteString("confusion_png", png);
            }));
            return CliRunner.Ok;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{info.Architecture} on {datasetName} ({eval.Count:N0} images{(tta.ViewCount > 1 ? $", {tta.ViewCount} views each ({tta})" : "")}): accuracy {eval.Accuracy:P2}, loss {eval.Loss:F4}"));
        var table = new Table().AddColumns("class", "name", "support", "precision", "recall", "F1");
        foreach (var m in metrics)
            table.AddRow(m.Class.ToString(), Markup.Escape(m.Name), m.Support.ToString(), m.Precision.ToString("F3"), m.Recall.ToString("F3"), m.F1.ToString("F3"));
        var confusionTable = new Table().AddColumn("true \\ predicted");
        for (int j = 0; j < info.ClassNames.Count; j++) confusionTable.AddColumn(j.ToString());
        for (int i = 0; i < info.ClassNames.Count; i++)
            confusionTable.AddRow([i.ToString(), .. Enumerable.Range(0, info.ClassNames.Count).Select(j => eval.Confusion[i, j].ToString())]);
        var console = Terminal.Tables;
        console.Write(table);
        console.Write(confusionTable);
        Console.WriteLine($"Confusion matrix picture: {png}");
        return CliRunner.Ok;
    }
}
