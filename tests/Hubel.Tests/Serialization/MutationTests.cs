using Hubel.Data;
using Hubel.Models;
using Hubel.Serialization;
using Hubel.Tensors;

namespace Hubel.Tests.Serialization;

/// <summary>A short seeded mutation run over the file readers (the long fuzzing campaign is a separate job):
/// every corrupted file must load or fail with <see cref="InvalidDataException"/> — never another exception
/// type, an out-of-range read or a hang.</summary>
public class MutationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hubel-mut-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] Mutate(byte[] original, Rng rng)
    {
        var b = (byte[])original.Clone();
        switch (rng.NextInt(5))
        {
            case 0:   // flip a few random bytes, biased towards the header
                for (int i = 0, n = 1 + rng.NextInt(4); i < n; i++)
                {
                    int at = rng.NextDouble() < 0.7 ? rng.NextInt(Math.Min(b.Length, 400)) : rng.NextInt(b.Length);
                    b[at] ^= (byte)(1 + rng.NextInt(255));
                }
                return b;
            case 1:   // truncate
                return b[..rng.NextInt(b.Length)];
            case 2:   // append junk
                return [.. b, .. Enumerable.Range(0, 1 + rng.NextInt(64)).Select(_ => (byte)rng.NextInt(256))];
            case 3:   // overwrite a small integer field with an extreme value
                int pos = rng.NextInt(Math.Max(1, Math.Min(b.Length - 8, 64)));
                BitConverter.GetBytes(rng.NextDouble() < 0.5 ? ulong.MaxValue : (ulong)rng.NextInt(int.MaxValue)).CopyTo(b, pos);
                return b;
            default:  // replace one ASCII digit or quote in a JSON header
                for (int tries = 0; tries < 50; tries++)
                {
                    int at = rng.NextInt(Math.Min(b.Length, 400));
                    if (b[at] is (>= (byte)'0' and <= (byte)'9') or (byte)'"' or (byte)',' or (byte)']')
                    {
                        b[at] = (byte)"9-\"],{}0e"[rng.NextInt(9)];
                        break;
                    }
                }
                return b;
        }
    }

    private void Run(byte[] valid, string extension, Action<string> load, int rounds)
    {
        var rng = new Rng(2026);
        for (int i = 0; i < rounds; i++)
        {
            var path = Path.Combine(_dir, $"m{i}{extension}");
            File.WriteAllBytes(path, Mutate(valid, rng));
            try { load(path); }
            catch (InvalidDataException) { }
            catch (Exception e)
            {
                Assert.Fail($"mutation {i} escaped as {e.GetType().Name}: {e.Message}");
            }
            File.Delete(path);
        }
    }

    [Fact]
    public void Safetensors_reader_survives_2000_mutations()
    {
        var path = Path.Combine(_dir, "valid.safetensors");
        ModelFile.Save(path, new LeNet5(rng: new Rng(1)), new ModelInfo("lenet5", ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"], 1, 28, 28, 0.286f, 0.353f));
        var valid = File.ReadAllBytes(path);
        Run(valid, ".safetensors", p => SafeTensors.Load(p), 1000);
        Run(valid, ".safetensors", p => ModelFile.Load(p), 1000);
    }

    [Fact]
    public void Image_reader_survives_1000_mutations()
    {
        var png = Path.Combine(_dir, "valid.png");
        Hubel.Imaging.ImageFile.SavePng(png, Hubel.Tests.Imaging.ImagingTests.TestPicture());
        Run(File.ReadAllBytes(png), ".png", p => Hubel.Imaging.ImageFile.Load(p), 1000);
    }

    [Fact]
    public void Idx_reader_survives_2000_mutations()
    {
        var raw = Path.Combine(_dir, "valid.idx");
        var gz = Path.Combine(_dir, "valid.idx.gz");
        var data = Enumerable.Range(0, 3 * 28 * 28).Select(i => (byte)i).ToArray();
        IdxFile.Write(raw, [3, 28, 28], data, gzip: false);
        IdxFile.Write(gz, [3, 28, 28], data, gzip: true);
        Run(File.ReadAllBytes(raw), ".idx", p => IdxFile.Read(p), 1000);
        Run(File.ReadAllBytes(gz), ".idx.gz", p => IdxFile.Read(p), 1000);
    }
}
