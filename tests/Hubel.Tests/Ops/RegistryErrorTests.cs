using System.Diagnostics;
using Hubel.Ops.Registry;

namespace Hubel.Tests.Ops;

/// <summary>Every error case of the registry throws exactly its exception type, names its parameter,
/// says something, and is raised by validation before any kernel runs.</summary>
public class RegistryErrorTests
{
    /// <summary>Types whose frames on the throw's stack would mean compute had started (or finished and been recorded).</summary>
    private static readonly string[] ComputeTypes =
    [
        "Hubel.Backends.Cpu.Gemm", "Hubel.Backends.Cpu.Im2Col", "Hubel.Backends.Cpu.ConvNdKernels",
        "Hubel.Backends.Cpu.PoolKernels", "Hubel.Backends.Cpu.CpuThreads", "Hubel.Autograd.Graph", "Hubel.Autograd.Backprop",
    ];

    [Theory]
    [MemberData(nameof(RegistryData.ErrorCaseKeys), MemberType = typeof(RegistryData))]
    public void ThrowsTypedErrorNamingTheParameter(string key)
    {
        var (_, error) = RegistryData.ErrorCase(key);
        var ex = Record.Exception(error.Invoke);
        Assert.True(ex is not null, $"{key}: expected {error.Exception.Name}, but nothing was thrown");
        Assert.True(ex.GetType() == error.Exception, $"{key}: expected {error.Exception.Name}, got {ex.GetType().Name}: {ex.Message}");
        var argument = Assert.IsAssignableFrom<ArgumentException>(ex);
        Assert.True(argument.ParamName == error.ParamName, $"{key}: expected ParamName '{error.ParamName}', got '{argument.ParamName}' ({ex.Message})");
        Assert.False(string.IsNullOrWhiteSpace(argument.Message));
    }

    [Theory]
    [MemberData(nameof(RegistryData.ErrorCaseKeys), MemberType = typeof(RegistryData))]
    public void ThrowsBeforeAnyCompute(string key)
    {
        var (_, error) = RegistryData.ErrorCase(key);
        var ex = Record.Exception(error.Invoke);
        Assert.NotNull(ex);
        foreach (var frame in new StackTrace(ex).GetFrames())
        {
            var method = frame.GetMethod();
            var type = method?.DeclaringType;
            while (type?.DeclaringType is not null) type = type.DeclaringType;   // lambdas and iterators live in nested types
            Assert.False(type is not null && ComputeTypes.Contains(type.FullName),
                $"{key}: thrown from {type?.FullName}.{method?.Name}, inside compute; validate the argument before any kernel runs");
            // BinaryKernels.Run<TOp>(a, b) validates; Run<TOp, T> computes.
            Assert.False(type?.FullName == "Hubel.Backends.Cpu.BinaryKernels" && method is { IsGenericMethod: true } && method.GetGenericArguments().Length == 2,
                $"{key}: thrown from the elementwise kernel loop; validate before it runs");
        }
    }
}
