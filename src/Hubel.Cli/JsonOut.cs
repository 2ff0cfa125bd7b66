using System.Text;
using System.Text.Json;

namespace Hubel.Cli;

/// <summary>Machine output for --json, written with Utf8JsonWriter so it needs no reflection (the CLI
/// publishes with NativeAOT) and keeps properties in the order written.</summary>
internal static class JsonOut
{
    public static string Object(Action<Utf8JsonWriter> writeProperties)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writeProperties(writer);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static void Ints(this Utf8JsonWriter w, string name, IEnumerable<int> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }
}
