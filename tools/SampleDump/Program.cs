// Dumps every sample of Hubel.Ops.Registry.OpRegistry to JSON: id, op, attributes, inputs (shape, float64
// values, whether differentiable), targets, the deterministic upstream gradient and the fingerprint that
// tests/Hubel.Tests/Golden/parity/<op>.json records. Usage: dotnet run --project tools/SampleDump -- OUT.json
using System.Text.Encodings.Web;
using System.Text.Json;
using Hubel.Autograd;
using Hubel.Ops.Registry;
using Hubel.Tensors;

string path = args.Length > 0 ? args[0] : "out/golden-samples.json";
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
using var stream = File.Create(path);
using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

int count = 0;
json.WriteStartObject();
json.WriteNumber("format", 1);
json.WriteStartArray("samples");
foreach (var (op, sample) in OpRegistry.AllSamples)
{
    var inputs = sample.MakeInputs(DType.Float64, requiresGrad: false);
    Tensor output;
    using (Graph.NoGrad()) output = sample.Invoke(inputs);
    var upstream = sample.MakeUpstream(output.Shape.ToArray());

    json.WriteStartObject();
    json.WriteString("id", sample.Id);
    json.WriteString("op", op.Name);
    json.WriteString("seed", $"0x{sample.Seed:X16}");
    json.WriteStartObject("attrs");
    foreach (var (key, value) in sample.Attributes) WriteValue(json, key, value);
    json.WriteEndObject();
    json.WriteStartArray("inputs");
    for (int i = 0; i < inputs.Length; i++)
    {
        json.WriteStartObject();
        WriteTensor(json, inputs[i]);
        json.WriteBoolean("requires_grad", sample.IsDifferentiable(i));
        json.WriteEndObject();
    }
    json.WriteEndArray();
    if (sample.Targets is { } targets)
    {
        json.WriteStartArray("targets");
        foreach (int t in targets) json.WriteNumberValue(t);
        json.WriteEndArray();
    }
    json.WriteStartObject("upstream");
    WriteTensor(json, upstream);
    json.WriteEndObject();
    json.WriteStartArray("out_shape");
    foreach (int d in output.Shape) json.WriteNumberValue(d);
    json.WriteEndArray();
    json.WriteString("fingerprint", sample.Fingerprint());
    json.WriteEndObject();
    count++;
}
json.WriteEndArray();
json.WriteEndObject();
json.Flush();
Console.WriteLine($"wrote {count} samples of {OpRegistry.All.Count} ops to {path}");

static void WriteTensor(Utf8JsonWriter json, Tensor t)
{
    json.WriteStartArray("shape");
    foreach (int d in t.Shape) json.WriteNumberValue(d);
    json.WriteEndArray();
    json.WriteStartArray("values");
    foreach (double v in t.ToDoubleArray()) json.WriteNumberValue(v);   // shortest round-trip form
    json.WriteEndArray();
}

static void WriteValue(Utf8JsonWriter json, string key, object value)
{
    switch (value)
    {
        case int i: json.WriteNumber(key, i); break;
        case double d: json.WriteNumber(key, d); break;
        case bool b: json.WriteBoolean(key, b); break;
        case string s: json.WriteString(key, s); break;
        case int[] a:
            json.WriteStartArray(key);
            foreach (int k in a) json.WriteNumberValue(k);
            json.WriteEndArray();
            break;
        default: throw new NotSupportedException($"attribute '{key}' has type {value.GetType().Name}; use int, int[], double, bool or string");
    }
}
