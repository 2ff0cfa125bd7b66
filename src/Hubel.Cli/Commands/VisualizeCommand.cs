using System.CommandLine;
using Hubel.Autograd;
using Hubel.Imaging;
using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Serialization;
using Hubel.Tensors;

namespace Hubel.Cli.Commands;

/// <summary>`hubel visualize --model FILE IMAGE --out DIR`: what a trained network does to a picture, as the
/// notes draw it: every layer's feature maps, the first layer's learned filters, and the conv -> ReLU -> pool
/// walk-through for one channel.</summary>
internal static class VisualizeCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A model saved by 'hubel train' (.safetensors).", Required = true };
        var image = new Argument<string>("IMAGE") { Description = "A PNG, JPEG, BMP, GIF or TGA image." };
        var output = new Option<string>("--out") { Description = "Folder for the PNGs (created if missing).", DefaultValueFactory = _ => "visualize" };
        var channel = new Option<int>("--channel") { Description = "Channel shown in the conv -> ReLU -> pool walk-through.", DefaultValueFactory = _ => 0 };
        var invert = new Option<bool>("--invert") { Description = "Invert brightness first (for Fashion-MNIST models and dark-on-light photos)." };
        var command = new Command("visualize", """
            Draw a trained model's view of an image: feature maps of every layer (one PNG per layer), the first
            layer's filters (filters.png) and the conv -> ReLU -> pool walk-through of one channel (walkthrough.png).

            Examples:
              hubel visualize --model runs/lenet5-shipped.safetensors shoe.png --out vis
              hubel visualize --model lenet.safetensors shirt.jpg --channel 3 --invert
            """) { model, image, output, channel, invert };
        command.SetAction(r => Run(r.GetValue(model)!, r.GetValue(image)!, r.GetValue(output)!, r.GetValue(channel), r.GetValue(invert)));
        return command;
    }

    private static int Run(string modelPath, string imagePath, string outDir, int channel, bool invert)
    {
        var (net, info) = ModelFile.Load(modelPath);
        var input = Preprocess.ForModel(ImageFile.Load(imagePath), info.Channels, info.Height, info.Width,
            info.InputNormalization.Mean, info.InputNormalization.Std, invert);
        var names = new Dictionary<Module, string>();
        foreach (var (name, m) in net.NamedModules()) names.TryAdd(m, name);
        IReadOnlyList<(Module Module, int[] InputShape, int[] OutputShape)> events;
        IReadOnlyList<Tensor> outputs;
        using (var trace = ForwardTrace.Start(keepOutputs: true))
        {
            using (Graph.NoGrad()) net.Call(input);
            events = trace.Events;
            outputs = trace.Outputs;
        }
        Directory.CreateDirectory(outDir);
        var written = new List<string>();
        for (int i = 0; i < events.Count; i++)
        {
            var (module, _, shape) = events[i];
            if (module.Children.Count > 0 || shape.Length != 4) continue;
            string name = names.GetValueOrDefault(module, module.GetType().Name);
            string file = Path.Combine(outDir, $"{written.Count + 1:D2}-{name}.png");
            ImageFile.SavePng(file, ContactSheet.Compose(FeatureMaps.Channels(outputs[i]), columns: 8, tileSize: 96,
                title: $"{name} {module.GetType().Name} [{string.Join(",", shape)}]"));
            written.Add(file);
        }
        var firstConv = net.NamedModules().Select(m => m.Module).OfType<Conv2d>().FirstOrDefault();
        if (firstConv is not null)
        {
            string file = Path.Combine(outDir, "filters.png");
            ImageFile.SavePng(file, ContactSheet.Compose(FeatureMaps.Filters(firstConv.Weight), columns: 8, tileSize: 64,
                title: $"{names.GetValueOrDefault(firstConv, "conv")} filters {firstConv.Kernel.H}x{firstConv.Kernel.W}"));
            written.Add(file);
        }
        int start = Enumerable.Range(0, Math.Max(0, events.Count - 2)).FirstOrDefault(i =>
            events[i].Module is Conv2d && events[i + 1].Module is ReLU && events[i + 2].Module is MaxPool2d or AvgPool2d, -1);
        if (start >= 0)
        {
            if (channel < 0 || channel >= events[start].OutputShape[1])
                throw new UsageException($"--channel must be in [0, {events[start].OutputShape[1] - 1}] for this model; got {channel}");
            string Dims(int[] s) => $"{s[2]}x{s[3]}";
            var shown = Tensor.FromArray(input.ToFloatArray().Select(v => v * info.Std + info.Mean).ToArray(), input.Shape.ToArray());
            var tiles = new List<(string, Tensor)>
            {
                ($"input {info.Height}x{info.Width}x{info.Channels}", shown.Reshape(info.Channels, info.Height, info.Width)),
                ($"conv {Dims(events[start].OutputShape)}", FeatureMaps.Channel(outputs[start], channel)),
                ($"relu {Dims(events[start + 1].OutputShape)}", FeatureMaps.Channel(outputs[start + 1], channel)),
                ($"pool {Dims(events[start + 2].OutputShape)}", FeatureMaps.Channel(outputs[start + 2], channel)),
            };
            string file = Path.Combine(outDir, "walkthrough.png");
            ImageFile.SavePng(file, ContactSheet.Compose(tiles, columns: 4, tileSize: 160, title: $"conv - relu - pool, channel {channel}"));
            written.Add(file);
        }
        Console.WriteLine($"Wrote {written.Count} pictures to {outDir}: {string.Join(", ", written.Select(Path.GetFileName))}");
        return CliRunner.Ok;
    }
}
