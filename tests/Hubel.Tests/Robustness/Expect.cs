namespace Hubel.Tests.Robustness;

/// <summary>The bad-input contract in one place: the exact exception type, the argument it names (for argument
/// errors) and message fragments that tell the user what was wrong and what is expected.</summary>
internal static class Expect
{
    public static TException Throws<TException>(Action act, string? paramName, params string[] fragments) where TException : Exception
    {
        var e = Assert.Throws<TException>(act);
        if (paramName is not null) Assert.Equal(paramName, (e as ArgumentException)?.ParamName);
        foreach (var f in fragments)
            Assert.True(e.Message.Contains(f, StringComparison.Ordinal), $"message lacks '{f}': {e.Message}");
        return e;
    }

    /// <summary>The directory holds exactly <paramref name="names"/>: nothing half-written, no temporary files.</summary>
    public static void OnlyFiles(string dir, params string[] names) =>
        Assert.Equal(names.Order(StringComparer.Ordinal), Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
}
