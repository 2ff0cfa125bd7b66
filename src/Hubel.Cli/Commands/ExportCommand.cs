using System.CommandLine;
using Hubel.Serialization;
using Hubel.Serialization.Onnx;

namespace Hubel.Cli.Commands;

/// <summary>`hubel export --model FILE --format onnx|safetensors --out PATH`: a saved model for other frameworks.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A model saved by 'hubel train' or 'hubel import' (.safetensors).", Required = true };
        var format = new Option<string>("--format") { Description = $"onnx (opset {OnnxFormat.Opset}, batch dimension symbolic) or safetensors (the state dict, PyTorch names).", Required = true };
        format.AcceptOnlyFromAmong("onnx", "safetensors");
        var output = new Option<string>("--out") { Description = "The file to write (written atomically).", Required = true };
        var command = new Command("export", $"""
            Export a saved model: as ONNX (opset {OnnxFormat.Opset}) for ONNX Runtime and other frameworks, or as a plain
            safetensors state dict that PyTorch's load_state_dict accepts (the parameter names are PyTorch's).

            Examples:
              hubel export --model runs/lenet5-shipped.safetensors --format onnx --out lenet5.onnx
              hubel export --model runs/lenet5-shipped.safetensors --format safetensors --out lenet5-state.safetensors
            """) { model, format, output };
        command.SetAction(r => Run(r.GetValue(model)!, r.GetValue(format)!, r.GetValue(output)!));
        return command;
    }

    private static int Run(string modelPath, string format, string outPath)
    {
        var (net, info) = ModelFile.Load(modelPath);
        if (format == "onnx")
        {
            try { OnnxExporter.Save(net, [1, info.Channels, info.Height, info.Width], outPath); }
            catch (NotSupportedException e) { throw new InvalidOperationException(e.Message, e); } // exit code 1 with the op named
        }
        else
            SafeTensors.Save(outPath, net.NamedState(), new Dictionary<string, string> { ["format"] = "pt" });
        Console.WriteLine($"wrote {outPath} ({new FileInfo(outPath).Length:N0} bytes, {format})");
        return CliRunner.Ok;
    }
}
