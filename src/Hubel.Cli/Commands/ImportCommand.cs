using System.CommandLine;
using System.Globalization;
using Hubel.Autograd;
using Hubel.Serialization;
using Hubel.Serialization.Onnx;
using Hubel.Tensors;

namespace Hubel.Cli.Commands;

/// <summary>`hubel import FILE.onnx --out PATH`: an ONNX classifier as a Hubel model file for eval, predict and summary.</summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = $"An ONNX model (opset {OnnxFormat.Opset}) with one [N, C, H, W] float input and one [N, classes] output." };
        var output = new Option<string>("--out") { Description = "The Hubel model file to write (.safetensors, written atomically).", Required = true };
        var classes = new Option<string?>("--classes") { Description = "Comma-separated class names (default: 0, 1, 2, …)." };
        var mean = new Option<float>("--mean") { Description = "Input normalisation mean the model was trained with (default 0).", DefaultValueFactory = _ => 0f };
        var std = new Option<float>("--std") { Description = "Input normalisation standard deviation (default 1).", DefaultValueFactory = _ => 1f };
        std.Validators.Add(r => { float v = r.GetValueOrDefault<float>(); if (!(v > 0) || !float.IsFinite(v)) r.AddError($"--std must be > 0; got {v}"); });
        mean.Validators.Add(r => { float v = r.GetValueOrDefault<float>(); if (!float.IsFinite(v)) r.AddError($"--mean must be finite; got {v}"); });
        var command = new Command("import", $"""
            Import an ONNX model (opset {OnnxFormat.Opset}; e.g. from torch.onnx.export(..., opset_version={OnnxFormat.Opset})) into a
            Hubel model file that 'hubel eval', 'hubel predict' and 'hubel summary' use. The file is validated
            completely (ops, attributes, tensor sizes, graph order) before anything is written.

            Examples:
              hubel import lenet5.onnx --out lenet5.safetensors --mean 0.286 --std 0.353
              hubel import net.onnx --out net.safetensors --classes cat,dog
            """) { file, output, classes, mean, std };
        command.SetAction(r => Run(r.GetValue(file)!, r.GetValue(output)!, r.GetValue(classes), r.GetValue(mean), r.GetValue(std)));
        return command;
    }

    private static int Run(string path, string outPath, string? classArg, float mean, float std)
    {
        var bytes = File.ReadAllBytes(path);
        var proto = OnnxProtoReader.Parse(bytes);
        var module = new OnnxModule(proto);
        if (module.InputShape is not { Count: 4 } shape || shape.Skip(1).Any(d => d is not > 0))
            throw new InvalidDataException($"'{path}': the input must be [N, C, H, W] with fixed C, H and W; it is [{string.Join(", ", module.InputShape?.Select(d => d?.ToString(CultureInfo.InvariantCulture) ?? "?") ?? [])}]");
        int c = shape[1]!.Value, h = shape[2]!.Value, w = shape[3]!.Value;
        Tensor probe;
        using (Graph.NoGrad()) probe = module.Call(Tensor.Zeros([shape[0] ?? 1, c, h, w]));
        if (probe.Rank != 2) throw new InvalidDataException($"'{path}': the output must be [N, classes]; it is {ShapeMath.Format(probe.Shape)}");
        int count = probe.Size(1);
        var names = classArg?.Split(',') ?? Enumerable.Range(0, count).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        if (names.Length != count) throw new UsageException($"--classes names {names.Length} classes but the model has {count} outputs");
        var info = new ModelInfo(OnnxModelFile.Architecture, names, c, h, w, mean, std)
        {
            Extra = new Dictionary<string, string> { [OnnxModelFile.GraphKey] = OnnxModelFile.EncodeGraph(proto), ["onnx_source"] = Path.GetFileName(path) },
        };
        ModelFile.Save(outPath, module, info);
        Console.WriteLine($"imported {path}: {proto.Graph.Nodes.Count} nodes, {module.ParameterCount():N0} parameters, input [{c}, {h}, {w}], {count} classes -> {outPath}");
        return CliRunner.Ok;
    }
}
