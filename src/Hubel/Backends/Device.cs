namespace Hubel.Backends;

/// <summary>Kinds of compute device a backend can drive.</summary>
public enum DeviceKind
{
    /// <summary>The host CPU (managed memory, SIMD kernels, <see cref="Cpu.CpuThreads"/> workers).</summary>
    Cpu,
    /// <summary>An NVIDIA GPU through CUDA (not implemented yet; the seam in <see cref="IBackend"/> is what it will implement).</summary>
    Cuda,
}

/// <summary>A device a tensor's memory lives on and its ops run on: <c>cpu</c>, or <c>cuda:N</c> later.
/// Written and parsed as PyTorch spells it.</summary>
public readonly record struct Device(DeviceKind Kind, int Index = 0)
{
    public static Device Cpu { get; } = new(DeviceKind.Cpu);

    public static Device Cuda(int index = 0) =>
        index >= 0 ? new(DeviceKind.Cuda, index) : throw new ArgumentOutOfRangeException(nameof(index), $"CUDA device index must be >= 0; got {index}");

    public override string ToString() => Kind == DeviceKind.Cpu ? "cpu" : $"cuda:{Index}";

    /// <summary>Parses "cpu", "cuda" or "cuda:N".</summary>
    /// <exception cref="ArgumentException">anything else.</exception>
    public static Device Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim().ToLowerInvariant();
        if (t == "cpu") return Cpu;
        if (t == "cuda") return Cuda();
        if (t.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(t.AsSpan(5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int i))
            return Cuda(i);
        throw new ArgumentException($"device must be 'cpu', 'cuda' or 'cuda:N'; got '{text}'", nameof(text));
    }
}
