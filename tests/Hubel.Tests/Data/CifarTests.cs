using Hubel.Data;

namespace Hubel.Tests.Data;

public sealed class CifarTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hubel-cifar-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Record k of a file: its label bytes, then red plane = k, green = 100 + k, blue = 200 + position % 50.</summary>
    private static byte[] Records(int count, Func<int, byte[]> labels)
    {
        var bytes = new List<byte>();
        for (int k = 0; k < count; k++)
        {
            bytes.AddRange(labels(k));
            bytes.AddRange(Enumerable.Repeat((byte)k, 1024));
            bytes.AddRange(Enumerable.Repeat((byte)(100 + k), 1024));
            bytes.AddRange(Enumerable.Range(0, 1024).Select(p => (byte)(200 + p % 50)));
        }
        return [.. bytes];
    }

    private void WriteCifar10(string dir, int perBatch = 2)
    {
        Directory.CreateDirectory(dir);
        for (int b = 1; b <= 5; b++) File.WriteAllBytes(Path.Combine(dir, $"data_batch_{b}.bin"), Records(perBatch, k => [(byte)((b + k) % 10)]));
        File.WriteAllBytes(Path.Combine(dir, "test_batch.bin"), Records(3, k => [(byte)(9 - k)]));
    }

    [Fact]
    public void Cifar10_reads_planes_labels_and_default_class_names()
    {
        WriteCifar10(_dir);
        var split = Cifar.LoadCifar10(_dir);
        Assert.Equal(10, split.Train.Count);
        Assert.Equal(3, split.Test.Count);
        Assert.Equal((3, 32, 32), (split.Train.Channels, split.Train.Height, split.Train.Width));
        Assert.Equal([1, 2, 2, 3, 3, 4, 4, 5, 5, 6], split.Train.Labels);
        Assert.Equal([9, 8, 7], split.Test.Labels);
        var second = split.Test.Image(1);   // record k = 1
        Assert.Equal(1, second[0]);
        Assert.Equal(1, second[1023]);
        Assert.Equal(101, second[1024]);
        Assert.Equal(200 + 1023 % 50, second[3071]);
        Assert.Equal("airplane", split.Train.ClassNames[0]);
        Assert.Equal("truck", split.Test.ClassNames[9]);
    }

    [Fact]
    public void Cifar10_finds_the_unpacked_sub_folder_and_reads_batches_meta()
    {
        string inner = Path.Combine(_dir, "cifar-10-batches-bin");
        WriteCifar10(inner, perBatch: 1);
        File.WriteAllLines(Path.Combine(inner, "batches.meta.txt"), [.. Enumerable.Range(0, 10).Select(i => $"c{i}"), "", ""]);
        var split = Cifar.LoadCifar10(_dir);
        Assert.Equal(5, split.Train.Count);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"c{i}"), split.Train.ClassNames);
    }

    [Fact]
    public void Cifar10_errors_name_the_file_and_the_problem()
    {
        Assert.Throws<DirectoryNotFoundException>(() => Cifar.LoadCifar10(Path.Combine(_dir, "nope")));
        WriteCifar10(_dir);
        File.Delete(Path.Combine(_dir, "data_batch_3.bin"));
        Assert.Contains("data_batch_3.bin", Assert.Throws<FileNotFoundException>(() => Cifar.LoadCifar10(_dir)).Message);

        WriteCifar10(_dir);
        File.WriteAllBytes(Path.Combine(_dir, "data_batch_2.bin"), new byte[3073 * 2 - 1]);
        var e = Assert.Throws<InvalidDataException>(() => Cifar.LoadCifar10(_dir));
        Assert.Contains("data_batch_2.bin", e.Message);
        Assert.Contains("3073-byte records", e.Message);

        WriteCifar10(_dir);
        File.WriteAllBytes(Path.Combine(_dir, "test_batch.bin"), Records(2, k => [(byte)(k == 1 ? 10 : 0)]));
        e = Assert.Throws<InvalidDataException>(() => Cifar.LoadCifar10(_dir));
        Assert.Contains("record 1 has label 10", e.Message);
    }

    [Fact]
    public void Cifar100_reads_fine_or_coarse_labels()
    {
        File.WriteAllBytes(Path.Combine(_dir, "train.bin"), Records(4, k => [(byte)k, (byte)(50 + k)]));
        File.WriteAllBytes(Path.Combine(_dir, "test.bin"), Records(1, k => [(byte)19, (byte)99]));
        var fine = Cifar.LoadCifar100(_dir);
        Assert.Equal([50, 51, 52, 53], fine.Train.Labels);
        Assert.Equal([99], fine.Test.Labels);
        Assert.Equal(100, fine.Train.ClassCount);
        Assert.Equal(3, fine.Train.Image(3)[0]);
        var coarse = Cifar.LoadCifar100(_dir, fine: false);
        Assert.Equal([0, 1, 2, 3], coarse.Train.Labels);
        Assert.Equal(20, coarse.Train.ClassCount);
        File.WriteAllBytes(Path.Combine(_dir, "test.bin"), new byte[3073]);
        Assert.Contains("3074-byte records", Assert.Throws<InvalidDataException>(() => Cifar.LoadCifar100(_dir)).Message);
    }
}
