namespace Hubel.Tests.Cli;

public class HelpTests
{
    [Fact]
    public void Root_help_lists_every_command_in_one_line_each()
    {
        var (code, stdout, _) = CliProcess.Run("--help");
        Assert.Equal(0, code);
        foreach (var command in new[] { "train", "eval", "predict", "summary", "visualize", "filters", "ops" })
            Assert.Contains($"\n  {command} ", stdout);
        Assert.Contains("Exit codes", stdout);
    }

    [Theory]
    [InlineData("eval")]
    [InlineData("predict")]
    [InlineData("summary")]
    [InlineData("visualize")]
    [InlineData("filters")]
    public void Command_help_shows_examples_even_when_required_arguments_are_missing(string command)
    {
        var (code, stdout, stderr) = CliProcess.Run(command, "--help");
        Assert.True(code == 0, stderr);
        Assert.Contains("Examples:", stdout);
        Assert.Contains($"hubel {command}", stdout);
    }

    [Fact]
    public void No_command_is_a_usage_error()
    {
        var (code, _, stderr) = CliProcess.Run();
        Assert.Equal(2, code);
        Assert.Contains("hubel --help", stderr);
    }
}
