using System.Text.Json;

namespace Hubel.Serialization;

/// <summary>Checks on the raw JSON header that <see cref="System.Text.Json.Nodes.JsonNode"/> cannot make itself.</summary>
internal static class SafeTensorsHeader
{
    /// <summary>The first property name that appears twice in the same JSON object (at any depth), or null.
    /// Invalid JSON is left for the real parser to report.</summary>
    public static string? FirstDuplicateKey(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        var open = new Stack<HashSet<string>?>();   // null for arrays
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject: open.Push(new HashSet<string>(StringComparer.Ordinal)); break;
                    case JsonTokenType.StartArray: open.Push(null); break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray: open.Pop(); break;
                    case JsonTokenType.PropertyName:
                        string name = reader.GetString()!;
                        if (open.Peek() is { } keys && !keys.Add(name)) return name;
                        break;
                }
            }
        }
        catch (JsonException) { }
        catch (InvalidOperationException) { }
        return null;
    }
}
