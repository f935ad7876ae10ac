using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace MLNetSeq2Seq.Bench;

/// <summary>Console output: progress lines as measurements arrive, and Markdown tables at the end of each figure.</summary>
internal static class Report
{
    public static void Heading(string text)
    {
        Console.WriteLine();
        Console.WriteLine($"## {text}");
        Console.WriteLine();
    }

    public static void Line(string text) => Console.WriteLine(text);

    /// <summary>A progress line, with the load average so noisy pairs can be recognised.</summary>
    public static void Progress(string text) => Console.WriteLine($"  [{DateTime.Now:HH:mm:ss}] {text}  (load {MachineInfo.LoadAverage().Split(' ')[0]})");

    public static void Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        Console.WriteLine("| " + string.Join(" | ", header) + " |");
        Console.WriteLine("|" + string.Concat(header.Select(_ => " --- |")));
        foreach (IReadOnlyList<string> row in rows)
            Console.WriteLine("| " + string.Join(" | ", row) + " |");
        Console.WriteLine();
    }

    public static string F(double value, string format = "F3") => value.ToString(format, CultureInfo.InvariantCulture);

    public static string Percent(double fraction, int decimals = 2) => (fraction * 100).ToString("F" + decimals, CultureInfo.InvariantCulture) + " %";

    /// <summary>Median (min–max) of fractions, as percentages.</summary>
    public static string Percent(Summary s, int decimals = 2) =>
        $"{Percent(s.Median, decimals)} ({Percent(s.Min, decimals)}–{Percent(s.Max, decimals)})";

    public static string Verdict(bool met) => met ? "met" : "NOT met";
}
