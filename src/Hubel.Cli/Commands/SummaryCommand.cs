using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Hubel.Analysis;
using Hubel.Models;
using Hubel.Nn;
using Hubel.Serialization;
using Hubel.Tensors;
using Spectre.Console;

namespace Hubel.Cli.Commands;

/// <summary>`hubel summary --model NAME|FILE`: per-layer shapes, parameters, MACs, receptive fields, strides.</summary>
internal static class SummaryCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = $"An architecture ({string.Join(", ", ModelZoo.Names)}) or a saved model file.", Required = true };
        var shape = new Option<string?>("--input-shape") { Description = "C,H,W of one input image (default: the model file's, or 1,28,28 grown to the smallest size the architecture takes)." };
        var batch = new Option<int>("--batch-size") { Description = "Batch size for the activation-memory estimate.", DefaultValueFactory = _ => 64 };
        batch.Validators.Add(r => { int v = r.GetValueOrDefault<int>(); if (v < 1) r.AddError($"--batch-size must be >= 1; got {v}"); });
        var json = new Option<bool>("--json") { Description = "Print one JSON object: {\"total_params\",\"total_macs\",\"layers\":[{\"name\",\"type\",\"output_shape\",\"params\",\"macs\",\"receptive_field\",\"stride\"}]}." };
        var command = new Command("summary", """
            Summarise a model layer by layer: output shape, parameters, multiply-accumulates per image, receptive
            field and effective stride (the notes' RF_i = (RF_{i+1} - 1)·s_i + K_i), with totals and the memory the
            activations of one training batch take.

            Examples:
              hubel summary --model lenet5
              hubel summary --model resnet50 --input-shape 3,224,224
              hubel summary --model runs/lenet5-shipped.safetensors --json
            """) { model, shape, batch, json };
        command.SetAction(r => Run(r.GetValue(model)!, r.GetValue(shape), r.GetValue(batch), r.GetValue(json)));
        return command;
    }

    private static int Run(string modelArg, string? shapeArg, int batchSize, bool json)
    {
        Module net;
        int[] inputShape = [1, 28, 28];
        if (File.Exists(modelArg))
        {
            var (loaded, info) = ModelFile.Load(modelArg);
            net = loaded;
            inputShape = [info.Channels, info.Height, info.Width];
        }
        else if (ModelZoo.Names.Contains(modelArg.ToLowerInvariant()))
        {
            // Default: a Fashion-MNIST image grown to the smallest size the architecture takes (as `hubel train` does).
            var entry = ModelZoo.Entry(modelArg);
            var (h, w) = entry.AdaptedSize(28, 28);
            inputShape = shapeArg is not null ? ParseShape(shapeArg) : [1, h, w];
            try { entry.CheckInput(inputShape[1], inputShape[2]); }
            catch (ArgumentException e) { throw new UsageException($"--input-shape: {e.Message.Split(" (Parameter")[0]}"); }
            net = ModelZoo.Create(modelArg, 10, inputShape[0], new Rng(0));
        }
        else
            throw new UsageException($"--model: '{modelArg}' is neither a file nor an architecture ({string.Join(", ", ModelZoo.Names)})");
        if (shapeArg is not null) inputShape = ParseShape(shapeArg);
        var summary = ModelSummary.Of(net, inputShape);
        if (json)
        {
            Console.WriteLine(JsonOut.Object(w =>
            {
                w.WriteNumber("total_params", summary.TotalParameters);
                w.WriteNumber("total_macs", summary.TotalMacs);
                w.Ints("input_shape", inputShape);
                w.WriteNumber("activation_bytes", summary.ActivationBytes(batchSize));
                w.WriteNumber("batch_size", batchSize);
                w.WriteStartArray("layers");
                foreach (var l in summary.Layers)
                {
                    w.WriteStartObject();
                    w.WriteString("name", l.Name);
                    w.WriteString("type", l.Type);
                    w.Ints("output_shape", l.OutputShape);
                    w.WriteNumber("params", l.Parameters);
                    w.WriteNumber("macs", l.Macs);
                    w.WriteNumber("receptive_field", l.ReceptiveField);
                    w.WriteNumber("stride", l.Stride);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }));
            return CliRunner.Ok;
        }
        var table = new Table().AddColumns("layer", "type", "output shape", "params", "MACs", "RF", "stride");
        foreach (var l in summary.Layers)
            table.AddRow(Markup.Escape(l.Name), l.Type, Markup.Escape("[" + string.Join(", ", l.OutputShape) + "]"), l.Parameters.ToString("N0", CultureInfo.InvariantCulture),
                l.Macs.ToString("N0", CultureInfo.InvariantCulture), l.ReceptiveField.ToString(CultureInfo.InvariantCulture), l.Stride.ToString(CultureInfo.InvariantCulture));
        var console = Terminal.Tables;
        console.Write(table);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Total: {summary.TotalParameters:N0} parameters, {summary.TotalMacs:N0} multiply-accumulates per image, input [{string.Join(", ", inputShape)}]; activations of a batch of {batchSize}: {summary.ActivationBytes(batchSize) / 1048576.0:F1} MiB"));
        return CliRunner.Ok;
    }

    private static int[] ParseShape(string text)
    {
        var parts = text.Split(',');
        if (parts.Length != 3 || !parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int d) && d is >= 1 and <= 65536))
            throw new UsageException($"--input-shape must be C,H,W with sizes in [1, 65536]; got '{text}'");
        return parts.Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
    }
}
