using System.Buffers.Binary;
using System.Text;
using Hubel.Data;
using Hubel.Imaging;
using Hubel.Models;
using Hubel.Serialization;
using Hubel.Serialization.Onnx;
using Hubel.Tensors;
using StbImageWriteSharp;

namespace Hubel.Fuzz;

/// <summary>Small valid inputs for each target, generated rather than committed: small seeds make each execution
/// cheap and leave the mutator room to reach every header field.</summary>
internal static class SeedCorpus
{
    public static void Write(string dir)
    {
        string D(string target) => Directory.CreateDirectory(Path.Combine(dir, target)).FullName;

        string st = D("safetensors");
        SafeTensors.Save(Path.Combine(st, "two-f32.safetensors"),
            [("w", Tensor.FromArray(new float[] { 1, -2, 3, 0.5f }, [2, 2])), ("b", Tensor.FromArray(new float[] { 0.25f }, [1]))],
            new Dictionary<string, string> { ["format"] = "pt" });
        SafeTensors.Save(Path.Combine(st, "f64-scalar.safetensors"), [("x", Tensor.FromArray(new double[] { Math.PI }, []))]);
        File.WriteAllBytes(Path.Combine(st, "f16-bf16-i64.safetensors"), Handmade(
            ("h", "F16", [2], [0x00, 0x3C, 0x00, 0xC0]), ("bf", "BF16", [1], [0x80, 0x3F]), ("n", "I64", [1], BitConverter.GetBytes(12345L)),
            ("m", "BOOL", [2], [0, 1]), ("q", "F8_E4M3", [1], [0x38])));

        string idx = D("idx");
        var pixels = Enumerable.Range(0, 2 * 3 * 3).Select(i => (byte)(i * 13)).ToArray();
        IdxFile.Write(Path.Combine(idx, "images.idx"), [2, 3, 3], pixels);
        IdxFile.Write(Path.Combine(idx, "images.idx.gz"), [2, 3, 3], pixels, gzip: true);
        IdxFile.Write(Path.Combine(idx, "labels.idx"), [4], [1, 2, 3, 9]);

        string img = D("image");
        var rgb = Enumerable.Range(0, 4 * 3 * 3).Select(i => (byte)(i * 7)).ToArray();
        ImageFile.SavePng(Path.Combine(img, "grey.png"), Tensor.FromArray(new float[] { 0, 0.5f, 1, 0.25f, 0.75f, 0.1f }, [1, 2, 3]));
        ImageFile.SavePng(Path.Combine(img, "colour.png"), Tensor.FromArray(rgb.Take(27).Select(v => v / 255f).ToArray(), [3, 3, 3]));
        using (var jpg = File.Create(Path.Combine(img, "colour.jpg")))
            new ImageWriter().WriteJpg(rgb, 4, 3, StbImageWriteSharp.ColorComponents.RedGreenBlue, jpg, 90);
        using (var bmp = File.Create(Path.Combine(img, "colour.bmp")))
            new ImageWriter().WriteBmp(rgb, 4, 3, StbImageWriteSharp.ColorComponents.RedGreenBlue, bmp);

        // ONNX: PyTorch's own exports (the golden files of the import tests) and Hubel's exports of small graphs with
        // convolutions, pooling, batch norm, residual adds and concatenation.
        string onnx = D("onnx");
        foreach (var golden in new[] { "basicblock", "conv1d3d", "coverage" })
        {
            string path = Path.Combine("tests", "Hubel.Tests", "Golden", "onnx", golden + ".onnx");
            if (File.Exists(path)) File.Copy(path, Path.Combine(onnx, golden + ".onnx"), overwrite: true);
        }
        File.WriteAllBytes(Path.Combine(onnx, "resnet-cifar-8.onnx"), OnnxExporter.ExportBytes(new ResNetCifar(8, 10, 1, new Rng(2)), [1, 1, 8, 8]));
        File.WriteAllBytes(Path.Combine(onnx, "densenet-bc.onnx"), OnnxExporter.ExportBytes(DenseNet.CreateSmallBc(10, 4, 10, 1, new Rng(3)), [1, 1, 8, 8]));

        // A real model file is ~250 KB of LeNet-5 weights; it is the one large seed.
        ModelFile.Save(Path.Combine(D("modelfile"), "lenet5.safetensors"), new LeNet5(rng: new Rng(1)),
            new ModelInfo("lenet5", ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"], 1, 28, 28, 0.286f, 0.353f));
    }

    /// <summary>A safetensors file with dtypes Hubel never writes (F16, BF16, integers, FP8).</summary>
    private static byte[] Handmade(params (string Name, string DType, int[] Shape, byte[] Data)[] tensors)
    {
        var json = new StringBuilder("{");
        long offset = 0;
        foreach (var (name, dtype, shape, data) in tensors)
        {
            json.Append($"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{offset},{offset + data.Length}]}},");
            offset += data.Length;
        }
        json.Length--;
        json.Append('}');
        var header = Encoding.UTF8.GetBytes(json.ToString());
        var file = new byte[8 + header.Length + offset];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        int at = 8 + header.Length;
        foreach (var t in tensors) { t.Data.CopyTo(file, at); at += t.Data.Length; }
        return file;
    }
}
