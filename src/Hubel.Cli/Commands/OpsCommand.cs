using System.CommandLine;
using System.Text.Json;
using Hubel.Ops.Registry;
using Spectre.Console;

namespace Hubel.Cli.Commands;

/// <summary>`hubel ops`: the op registry — every op Hubel implements, with what proves it.</summary>
internal static class OpsCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object: {\"ops\":[{\"name\",\"input_ranks\",\"has_backward\",\"samples\",\"error_cases\",\"reference\"}]}." };
        var command = new Command("ops", """
            List the op registry: each op with its input ranks, whether it has a backward pass, how many samples
            the generic tests run (float64 gradcheck, PyTorch parity, batch-vs-single, non-contiguous inputs),
            how many bad-argument cases it rejects, and where its reference values come from.

            Examples:
              hubel ops
              hubel ops --json
            """) { json };
        command.SetAction(r => Run(r.GetValue(json)));
        return command;
    }

    private sealed record Row(string Name, string InputRanks, bool HasBackward, int Samples, int ErrorCases, string Reference);

    private static int Run(bool json)
    {
        var rows = OpRegistry.All
            .Select(op => new Row(op.Name,
                string.Join(",", op.Samples.FirstOrDefault()?.InputShapes.Select(s => s.Length) ?? []),
                op.HasBackward, op.Samples.Count, op.ErrorCases.Count, op.Reference))
            .OrderBy(r => r.Name, StringComparer.Ordinal)
            .ToList();
        if (json)
        {
            Console.WriteLine(JsonOut.Object(w =>
            {
                w.WriteStartArray("ops");
                foreach (var r in rows)
                {
                    w.WriteStartObject();
                    w.WriteString("name", r.Name);
                    w.WriteString("input_ranks", r.InputRanks);
                    w.WriteBoolean("has_backward", r.HasBackward);
                    w.WriteNumber("samples", r.Samples);
                    w.WriteNumber("error_cases", r.ErrorCases);
                    w.WriteString("reference", r.Reference);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }));
            return CliRunner.Ok;
        }
        if (Terminal.IsRich)
        {
            var table = new Table().AddColumns("op", "input ranks", "backward", "samples", "error cases", "reference");
            foreach (var r in rows)
                table.AddRow(r.Name, r.InputRanks, r.HasBackward ? "yes" : "no", r.Samples.ToString(), r.ErrorCases.ToString(), Markup.Escape(r.Reference));
            AnsiConsole.Write(table);
        }
        else
        {
            Console.WriteLine($"{"op",-22} {"input ranks",-12} {"backward",-9} {"samples",8} {"errors",7}  reference");
            foreach (var r in rows)
                Console.WriteLine($"{r.Name,-22} {r.InputRanks,-12} {(r.HasBackward ? "yes" : "no"),-9} {r.Samples,8} {r.ErrorCases,7}  {r.Reference}");
        }
        Console.WriteLine($"{rows.Count} ops, {rows.Sum(r => r.Samples)} samples, {rows.Sum(r => r.ErrorCases)} error cases");
        return CliRunner.Ok;
    }
}
