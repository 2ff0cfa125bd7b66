using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hubel.Tensors;

namespace Hubel.Serialization;

/// <summary>
/// The safetensors format: an 8-byte little-endian header length, a JSON header mapping each name to
/// {dtype, shape, data_offsets} (plus optional "__metadata__" of strings), then the raw little-endian
/// data. Reading treats the file as untrusted: the header is capped, every offset is checked to lie in
/// the data, match numel × itemsize (checked arithmetic), and not overlap another tensor.
/// </summary>
public static class SafeTensors
{
    public const long MaxHeaderBytes = 100L * 1024 * 1024;

    public static void Save(string path, IEnumerable<(string Name, Tensor Value)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var list = tensors.ToList();
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata) meta[k] = v;
            header["__metadata__"] = meta;
        }
        long offset = 0;
        foreach (var (name, t) in list)
        {
            if (header.ContainsKey(name)) throw new ArgumentException($"duplicate tensor name '{name}'", nameof(tensors));
            long bytes = ShapeMath.ByteSize(t.Shape, t.DType);
            header[name] = new JsonObject
            {
                ["dtype"] = t.DType == DType.Float32 ? "F32" : "F64",
                ["shape"] = new JsonArray(t.Shape.ToArray().Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;   // keep the data 8-byte aligned
        AtomicFile.Write(path, stream =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)padded);
            stream.Write(len);
            stream.Write(json);
            for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
            foreach (var (_, t) in list)
            {
                if (t.DType == DType.Float32) stream.Write(MemoryMarshal.AsBytes(t.ToFloatArray().AsSpan()));
                else stream.Write(MemoryMarshal.AsBytes(t.ToDoubleArray().AsSpan()));
            }
        });
    }

    /// <summary>Reads every tensor and the metadata; throws <see cref="InvalidDataException"/> naming the file and the problem.</summary>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"model file '{path}' does not exist", path);
        return LoadBytes(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses a whole safetensors file held in memory; <paramref name="source"/> names it in error messages.</summary>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) LoadBytes(byte[] bytes, string source = "<memory>")
    {
        ArgumentNullException.ThrowIfNull(bytes);
        try { return Parse(source, bytes); }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException or FormatException or OverflowException or KeyNotFoundException)
        {
            // Malformed JSON surfaces late (invalid UTF-8 in a name, wrong value kinds): always one error type.
            throw new InvalidDataException($"'{source}' is not a valid safetensors file: {e.Message}", e);
        }
    }

    private static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Parse(string path, byte[] bytes)
    {
        InvalidDataException Bad(string why) => new($"'{path}' is not a valid safetensors file: {why}");
        if (bytes.Length < 8) throw Bad($"it has {bytes.Length} bytes, fewer than the 8-byte header length");
        ulong headerLen = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLen > (ulong)MaxHeaderBytes || headerLen > (ulong)(bytes.Length - 8))
            throw Bad($"header length {headerLen} exceeds the file ({bytes.Length} bytes) or the {MaxHeaderBytes}-byte cap");
        var headerBytes = bytes.AsSpan(8, (int)headerLen);
        JsonObject header;
        try
        {
            // JsonObject keeps the last of two equal keys or fails late with a vague message; name the duplicate instead.
            if (SafeTensorsHeader.FirstDuplicateKey(headerBytes) is { } dup) throw Bad($"the header names '{dup}' twice (duplicate JSON key)");
            header = JsonNode.Parse(headerBytes)?.AsObject() ?? throw Bad("header is not a JSON object");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException) { throw Bad($"header is not valid JSON ({e.Message})"); }
        long dataStart = 8 + (long)headerLen, dataLen = bytes.Length - dataStart;
        var tensors = new Dictionary<string, Tensor>();
        var metadata = new Dictionary<string, string>();
        var ranges = new List<(long Begin, long End, string Name)>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                if (node is not JsonObject meta) throw Bad("__metadata__ is not an object");
                foreach (var (k, v) in meta)
                    metadata[k] = v is JsonValue jv && jv.TryGetValue(out string? s) ? s : throw Bad($"metadata '{k}' is not a string");
                continue;
            }
            try
            {
                var entry = node as JsonObject ?? throw Bad($"entry '{name}' is not an object");
                string dtype = entry["dtype"]?.GetValue<string>() ?? throw Bad($"'{name}' has no dtype");
                var shape = (entry["shape"] as JsonArray ?? throw Bad($"'{name}' has no shape")).Select(d => d?.GetValue<long>() ?? throw Bad($"'{name}' has null in its shape")).ToArray();
                var offs = (entry["data_offsets"] as JsonArray ?? throw Bad($"'{name}' has no data_offsets"))
                    .Select(d => d?.GetValue<long>() ?? throw Bad($"'{name}' has null in its data_offsets")).ToArray();   // null made a NullReferenceException (found by fuzzing)
                int itemSize = SafeTensorsDTypes.ItemSize(dtype);
                if (itemSize == 0) throw Bad($"tensor '{name}' has dtype '{dtype}', which Hubel cannot read; supported: {SafeTensorsDTypes.Supported}");
                if (shape.Any(d => d < 0 || d > int.MaxValue)) throw Bad($"'{name}' has an invalid dimension in its shape (each must be in [0, {int.MaxValue}])");
                int[] dims = shape.Select(d => (int)d).ToArray();
                long numel;
                try { numel = ShapeMath.Numel(dims); } catch (ArgumentException) { throw Bad($"'{name}' has a shape whose element count overflows"); }
                if (offs.Length != 2 || offs[0] < 0 || offs[1] < offs[0] || offs[1] > dataLen)
                    throw Bad($"'{name}' has data_offsets outside the {dataLen}-byte data section");
                long need = checked(numel * itemSize);
                if (offs[1] - offs[0] != need)
                    throw Bad($"'{name}' spans {offs[1] - offs[0]} bytes but shape × dtype needs {need}");
                ranges.Add((offs[0], offs[1], name));
                var span = bytes.AsSpan((int)(dataStart + offs[0]), (int)(offs[1] - offs[0]));
                tensors[name] = SafeTensorsDTypes.Decode(name, dtype, span, dims, why => Bad(why));
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException or JsonException)
            {
                throw Bad($"entry '{name}' is malformed ({e.Message})");
            }
        }
        // The format requires the data section to be tiled exactly: no overlaps (two tensors sharing bytes), no holes.
        ranges.Sort();
        long expectedBegin = 0;
        foreach (var (begin, end, name) in ranges)
        {
            if (begin < expectedBegin) throw Bad($"tensor '{name}' overlaps the tensor before it (begins at byte {begin}, before {expectedBegin})");
            if (begin > expectedBegin) throw Bad($"the data section has a hole: bytes {expectedBegin}..{begin} belong to no tensor (before '{name}')");
            expectedBegin = end;
        }
        if (expectedBegin != dataLen) throw Bad($"the data section has {dataLen - expectedBegin} trailing bytes that belong to no tensor");
        return (tensors, metadata);
    }
}
