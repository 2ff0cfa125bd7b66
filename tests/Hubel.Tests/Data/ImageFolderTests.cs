using Hubel.Data;
using Hubel.Imaging;
using Hubel.Tensors;

namespace Hubel.Tests.Data;

public sealed class ImageFolderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hubel-folder-").FullName;
    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Writes a flat-colour PNG (grey when r = g = b, which the PNG writer still stores as RGB).</summary>
    private string Png(string relative, int h, int w, float r, float g, float b)
    {
        string path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var data = new float[3 * h * w];
        data.AsSpan(0, h * w).Fill(r);
        data.AsSpan(h * w, h * w).Fill(g);
        data.AsSpan(2 * h * w, h * w).Fill(b);
        ImageFile.SavePng(path, Tensor.FromArray(data, [3, h, w]));
        return path;
    }

    [Fact]
    public void Classes_are_sorted_images_resized_and_split_per_class_by_seed()
    {
        for (int i = 0; i < 5; i++) Png($"zebra/{i}.png", 8, 8, 1, 0, 0);
        for (int i = 0; i < 10; i++) Png($"Apple/{i}.PNG", 16, 12, 0, 0, 1);
        File.WriteAllText(Path.Combine(_root, "zebra", "notes.txt"), "not an image");
        var split = ImageFolder.Load(_root, new ImageFolderOptions { TestFraction = 0.2, Seed = 1 });
        Assert.Equal(["Apple", "zebra"], split.Train.ClassNames);   // ordinal: upper case first
        Assert.Equal((3, 16, 12), (split.Train.Channels, split.Train.Height, split.Train.Width));   // the first image's size (Apple/0)
        Assert.Equal([8, 4], split.Train.ClassCounts());
        Assert.Equal([2, 1], split.Test.ClassCounts());
        // Blue apples, red zebras (resized from 8x8).
        var apple = split.Train.Image(Array.IndexOf(split.Train.Labels, (byte)0));
        Assert.Equal((byte)0, apple[0]);
        Assert.Equal((byte)255, apple[2 * 192 + 191]);
        var zebra = split.Train.Image(Array.IndexOf(split.Train.Labels, (byte)1));
        Assert.Equal((byte)255, zebra[0]);
        Assert.Equal((byte)0, zebra[2 * 192 + 191]);
        var again = ImageFolder.Load(_root, new ImageFolderOptions { TestFraction = 0.2, Seed = 1 });
        Assert.Equal(split.Test.Pixels, again.Test.Pixels);
    }

    [Fact]
    public void Grey_pictures_give_one_channel_and_options_force_size_and_channels()
    {
        Png("a/1.png", 10, 10, 0.2f, 0.2f, 0.2f);
        Png("a/2.png", 10, 10, 0.2f, 0.2f, 0.2f);
        Png("b/1.png", 20, 20, 0.6f, 0.6f, 0.6f);
        Png("b/2.png", 20, 20, 0.6f, 0.6f, 0.6f);
        var grey = ImageFolder.Load(_root);
        Assert.Equal((1, 10, 10), (grey.Train.Channels, grey.Train.Height, grey.Train.Width));
        var forced = ImageFolder.Load(_root, new ImageFolderOptions { ImageSize = 4, Channels = 3 });
        Assert.Equal((3, 4, 4), (forced.Train.Channels, forced.Train.Height, forced.Train.Width));
        Assert.All(forced.Train.Pixels.Take(48), p => Assert.Equal((byte)51, p));
    }

    [Fact]
    public void Train_and_test_sub_folders_are_used_as_given()
    {
        Png("train/cat/1.png", 4, 4, 1, 1, 0);
        Png("train/dog/1.png", 4, 4, 0, 1, 1);
        Png("train/dog/2.png", 4, 4, 0, 1, 1);
        Png("test/cat/9.png", 4, 4, 1, 1, 0);
        Png("test/dog/9.png", 4, 4, 0, 1, 1);
        var split = ImageFolder.Load(_root);
        Assert.Equal([0, 1, 1], split.Train.Labels);
        Assert.Equal([0, 1], split.Test.Labels);
        Assert.Equal(["cat", "dog"], split.Test.ClassNames);
    }

    [Fact]
    public void Errors_say_what_is_wrong_and_where()
    {
        Assert.Throws<DirectoryNotFoundException>(() => ImageFolder.Load(Path.Combine(_root, "missing")));
        Assert.Contains("no class folders", Assert.Throws<InvalidDataException>(() => ImageFolder.Load(_root)).Message);
        Png("a/1.png", 4, 4, 1, 1, 1);
        Png("a/2.png", 4, 4, 1, 1, 1);
        Directory.CreateDirectory(Path.Combine(_root, "empty"));
        Assert.Contains(Path.Combine(_root, "empty"), Assert.Throws<InvalidDataException>(() => ImageFolder.Load(_root)).Message);
        Png("empty/1.png", 4, 4, 1, 1, 1);
        Assert.Contains("class 'empty' has 1 picture", Assert.Throws<InvalidDataException>(() => ImageFolder.Load(_root)).Message);
        Png("empty/2.png", 4, 4, 1, 1, 1);
        string corrupt = Path.Combine(_root, "a", "3.jpg");
        File.WriteAllBytes(corrupt, [0xFF, 0xD8, 0xFF, 1, 2, 3]);
        Assert.Contains(corrupt, Assert.Throws<InvalidDataException>(() => ImageFolder.Load(_root)).Message);
        File.Delete(corrupt);
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageFolder.Load(_root, new ImageFolderOptions { Channels = 2 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageFolder.Load(_root, new ImageFolderOptions { TestFraction = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageFolder.Load(_root, new ImageFolderOptions { ImageSize = 0 }));
        Png("x,y/1.png", 4, 4, 1, 1, 1);
        Assert.Contains("comma", Assert.Throws<InvalidDataException>(() => ImageFolder.Load(_root)).Message);
    }
}
