using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Hubel.Autograd;
using Hubel.Imaging;
using Hubel.Ops;
using Hubel.Serialization;

namespace Hubel.Cli.Commands;

/// <summary>`hubel predict --model FILE IMAGE...`: classify pictures of any size and colour with a saved model.</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A model saved by 'hubel train' (.safetensors).", Required = true };
        var images = new Argument<string[]>("IMAGE") { Description = "PNG, JPEG, BMP, GIF or TGA files.", Arity = ArgumentArity.OneOrMore };
        var top = new Option<int>("--top") { Description = "How many classes to list per image.", DefaultValueFactory = _ => 3 };
        top.Validators.Add(r => { int v = r.GetValueOrDefault<int>(); if (v < 1) r.AddError($"--top must be >= 1; got {v}"); });
        var invert = new Option<bool>("--invert") { Description = "Invert brightness first (Fashion-MNIST models expect a light object on a dark background)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object and nothing else." };
        var command = new Command("predict", """
            Classify images with a trained model. Each image is converted to what the model expects: channels,
            size (bilinear) and the normalisation stored with the model.

            Examples:
              hubel predict --model runs/lenet5-shipped.safetensors shirt.png
              hubel predict --model runs/lenet5-shipped.safetensors --top 5 --json a.png b.jpg
            """) { model, images, top, invert, json };
        command.SetAction(r => Run(r.GetValue(model)!, r.GetValue(images)!, r.GetValue(top), r.GetValue(invert), r.GetValue(json)));
        return command;
    }

    private static int Run(string modelPath, string[] images, int top, bool invert, bool json)
    {
        var (net, info) = ModelFile.Load(modelPath);
        top = Math.Min(top, info.ClassNames.Count);
        var results = new List<(string File, List<(int Class, float P)> Best)>();
        foreach (var path in images)
        {
            var input = Preprocess.ForModel(ImageFile.Load(path), info.Channels, info.Height, info.Width,
                info.InputNormalization.Mean, info.InputNormalization.Std, invert);
            float[] probabilities;
            using (Graph.NoGrad()) probabilities = F.Softmax(net.Forward(input), 1).ToFloatArray();
            var best = probabilities.Select((p, c) => (Class: c, P: p)).OrderByDescending(x => x.P).Take(top).ToList();
            if (json)
                results.Add((path, best));
            else
                Console.WriteLine($"{path}: " + string.Join("  ", best.Select(b => string.Create(CultureInfo.InvariantCulture, $"{info.ClassNames[b.Class]} {b.P:P1}"))));
        }
        if (json)
            Console.WriteLine(JsonOut.Object(w =>
            {
                w.WriteString("model", modelPath);
                w.WriteStartArray("predictions");
                foreach (var (file, best) in results)
                {
                    w.WriteStartObject();
                    w.WriteString("file", file);
                    w.WriteStartArray("top");
                    foreach (var (c, p) in best)
                    {
                        w.WriteStartObject();
                        w.WriteString("class", info.ClassNames[c]);
                        w.WriteNumber("index", c);
                        w.WriteNumber("probability", Math.Round(p, 6));
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }));
        return CliRunner.Ok;
    }
}
