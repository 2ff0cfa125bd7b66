using Hubel.Data;
using Hubel.Imaging;
using Hubel.Serialization;
using Hubel.Serialization.Onnx;

namespace Hubel.Fuzz;

/// <summary>One reader fed untrusted bytes. The contract under test: it returns a value or throws
/// <see cref="InvalidDataException"/>; any other exception, a hang or a runaway allocation is a bug.</summary>
internal static class Targets
{
    public static readonly string[] Names = ["safetensors", "idx", "image", "modelfile", "onnx"];

    // ModelFile only reads from a path (it is what `hubel eval` and `predict` call), so its input goes through a file
    // in /dev/shm (memory-backed) that this process owns.
    private static readonly string ScratchFile = Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(),
        $"hubel-fuzz-{Environment.ProcessId}.safetensors");

    public static Action<byte[]> Get(string name) => name switch
    {
        "safetensors" => bytes => Expect(() => SafeTensors.LoadBytes(bytes, "fuzz-input")),
        "idx" => bytes => Expect(() => { using var s = new MemoryStream(bytes, writable: false); IdxFile.Read(s, "fuzz-input"); }),
        "image" => bytes => Expect(() => ImageFile.Decode(bytes, "fuzz-input")),
        "modelfile" => bytes => Expect(() => { File.WriteAllBytes(ScratchFile, bytes); ModelFile.Load(ScratchFile); }),
        // Parse and validate the whole graph (what `hubel import` does before anything runs).
        "onnx" => bytes => Expect(() => OnnxModule.FromBytes(bytes)),
        _ => throw new ArgumentException($"unknown target '{name}'; expected one of {string.Join(", ", Names)}", nameof(name)),
    };

    public static void CleanUp()
    {
        try { File.Delete(ScratchFile); } catch (IOException) { }
    }

    private static void Expect(Action read)
    {
        try { read(); }
        catch (InvalidDataException) { }   // the documented way to reject a bad file
    }
}
