using System.Globalization;

namespace Hubel.Data.Augmentation;

/// <summary>Parses the command line's augmentation list, e.g. <c>shift:2,flip,crop:4,erase:0.25</c>:
/// <list type="bullet">
/// <item><c>shift:N</c> — <see cref="RandomShift"/> by up to N pixels (N in 1..64; default 2)</item>
/// <item><c>flip[:P]</c> — <see cref="HorizontalFlip"/> with probability P (default 0.5)</item>
/// <item><c>crop:N</c> — <see cref="PaddedRandomCrop"/> with N pixels of padding (default 4)</item>
/// <item><c>erase[:P]</c> — <see cref="RandomErasing"/> with probability P (default 0.5), torchvision's other defaults</item>
/// </list>
/// Steps run in the order written.</summary>
public static class AugmentationSpec
{
    /// <summary>The accepted step names, for help texts.</summary>
    public const string Syntax = "shift[:N], flip[:P], crop[:N], erase[:P] separated by commas, e.g. shift:2,flip,crop:4,erase:0.25";

    /// <exception cref="FormatException">an unknown step or a malformed or out-of-range parameter; the message names it.</exception>
    public static IAugmentation Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var parts = spec.Split(',', StringSplitOptions.TrimEntries);
        if (parts.All(p => p.Length == 0)) throw new FormatException($"augmentation list is empty; expected {Syntax}");
        var steps = new List<IAugmentation>(parts.Length);
        foreach (var part in parts)
        {
            if (part.Length == 0) throw new FormatException($"empty step in augmentation list '{spec}'; expected {Syntax}");
            int colon = part.IndexOf(':');
            string name = (colon < 0 ? part : part[..colon]).ToLowerInvariant();
            string? arg = colon < 0 ? null : part[(colon + 1)..];
            try
            {
                steps.Add(name switch
                {
                    "shift" => new RandomShift(Int(arg, 2, part)),
                    "flip" => new HorizontalFlip(Real(arg, 0.5, part)),
                    "crop" => new PaddedRandomCrop(Int(arg, 4, part)),
                    "erase" => new RandomErasing(Real(arg, 0.5, part)),
                    _ => throw new FormatException($"unknown augmentation '{name}' in '{spec}'; expected {Syntax}"),
                });
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw new FormatException($"augmentation '{part}': {e.Message.Split(" (Parameter")[0]}", e);
            }
        }
        return steps.Count == 1 ? steps[0] : new Compose(steps);
    }

    private static int Int(string? arg, int fallback, string part)
    {
        if (arg is null) return fallback;
        return int.TryParse(arg, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)
            ? v : throw new FormatException($"augmentation '{part}': '{arg}' is not a whole number of pixels");
    }

    private static double Real(string? arg, double fallback, string part)
    {
        if (arg is null) return fallback;
        return double.TryParse(arg, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)
            ? v : throw new FormatException($"augmentation '{part}': '{arg}' is not a probability");
    }
}
