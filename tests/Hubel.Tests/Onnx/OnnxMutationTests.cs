using Hubel.Serialization.Onnx;
using Hubel.Tensors;

namespace Hubel.Tests.Onnx;

/// <summary>A seeded mutation run over the ONNX reader and importer (as Serialization/MutationTests does for the other
/// readers): every corrupted file loads, or fails with InvalidDataException; a file that loads runs or fails with an
/// ArgumentException (a shape the ops reject) — never another exception type, an out-of-range read or a hang.</summary>
public class OnnxMutationTests
{
    private static byte[] Mutate(byte[] original, Rng rng)
    {
        var b = (byte[])original.Clone();
        switch (rng.NextInt(4))
        {
            case 0: // flip a few bytes anywhere but the (large, inert) weight payloads are still likely hit: bias to structure
                for (int i = 0, n = 1 + rng.NextInt(4); i < n; i++) b[rng.NextInt(b.Length)] ^= (byte)(1 + rng.NextInt(255));
                return b;
            case 1:
                return b[..rng.NextInt(b.Length)];
            case 2: // a huge varint where a length or dimension may sit
            {
                int pos = rng.NextInt(Math.Max(1, b.Length - 10));
                byte[] huge = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01];
                huge.AsSpan(0, Math.Min(huge.Length, b.Length - pos)).CopyTo(b.AsSpan(pos));
                return b;
            }
            default: // set one byte to a small value (field numbers, wire types, lengths, enum values)
                b[rng.NextInt(b.Length)] = (byte)rng.NextInt(16);
                return b;
        }
    }

    [Theory]
    [InlineData("coverage")]
    [InlineData("basicblock")]
    public void Mutated_files_fail_only_with_typed_exceptions(string name)
    {
        var valid = File.ReadAllBytes(OnnxImportTests.GoldenPath(name + ".onnx"));
        var rng = new Rng(2026);
        int loaded = 0;
        for (int i = 0; i < 300; i++)
        {
            var bytes = Mutate(valid, rng);
            OnnxModule model;
            try { model = OnnxModule.FromBytes(bytes); }
            catch (InvalidDataException) { continue; }
            catch (Exception e) { Assert.Fail($"round {i}: load threw {e.GetType().Name}: {e.Message}"); throw; }
            loaded++;
            var shape = model.InputShape?.Select(d => d ?? 1).ToArray() ?? [1];
            if (shape.Any(d => d < 1) || shape.Aggregate(1L, (p, d) => p * d) > 1_000_000) continue;
            try
            {
                using (Hubel.Autograd.Graph.NoGrad()) model.Call(Tensor.Uniform(shape, -1, 1, new Rng(1)));
            }
            catch (Exception e) when (e is InvalidDataException or ArgumentException) { }
            catch (Exception e) { Assert.Fail($"round {i}: forward threw {e.GetType().Name}: {e.Message}"); }
        }
        Assert.InRange(loaded, 1, 299); // some mutations hit only weights or names and still load; most do not
    }
}
