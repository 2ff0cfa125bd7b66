namespace Hubel.Data;

/// <summary>Locates the small Fashion-MNIST subset that ships with Hubel (data/fashion-mnist-10k in the repository,
/// copied next to the CLI binary on build).</summary>
public static class ShippedData
{
    /// <summary>The folder's path relative to the repository root and to the build output.</summary>
    public const string RelativePath = "data/fashion-mnist-10k";

    /// <summary>The shipped dataset's folder: first <c>AppContext.BaseDirectory/data/fashion-mnist-10k</c> (a built CLI),
    /// then the first <c>data/fashion-mnist-10k</c> found walking up from the current directory (a source checkout,
    /// which is how tests find it).</summary>
    /// <exception cref="DirectoryNotFoundException">Neither place has it; the message lists where it looked.</exception>
    public static string Directory => Find() ?? throw new DirectoryNotFoundException(
        $"The shipped dataset folder {RelativePath} was not found in {AppContext.BaseDirectory} nor in any parent of " +
        $"{Environment.CurrentDirectory}. Build the CLI (it copies the data next to the binary), run from inside the " +
        $"repository, or use the full dataset: `sudo apt-get install dataset-fashion-mnist` and `--data {FashionMnist.DefaultSystemDirectory}`.");

    /// <summary>Like <see cref="Directory"/> but returns null instead of throwing.</summary>
    public static string? Find()
    {
        string beside = Path.Combine(AppContext.BaseDirectory, RelativePath);
        if (HasData(beside)) return Path.GetFullPath(beside);
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, RelativePath);
            if (HasData(candidate)) return candidate;
        }
        return null;
    }

    // An empty folder (say, a half-finished checkout) should not win over a later, complete one.
    private static bool HasData(string dir) =>
        System.IO.Directory.Exists(dir) && System.IO.Directory.EnumerateFiles(dir, "*-idx?-ubyte*").Any();
}
