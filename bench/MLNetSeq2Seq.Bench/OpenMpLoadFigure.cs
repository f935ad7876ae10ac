using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;

namespace MLNetSeq2Seq.Bench;

/// <summary>
/// The loaded-machine figure (--omp-load): epoch time of a training alone ("quiet") and beside a second identical
/// training in another process ("loaded"), for each OpenMP policy, each training a fresh child process
/// (<see cref="OpenMpLoadChild"/>). Policies take turns round by round, so a slow spell of the shared machine is
/// spread over all of them. Per run: the median epoch time, leaving out epoch 1 (JIT, AdamW's first step).
/// </summary>
internal static class OpenMpLoadFigure
{
    public const string Flag = "--omp-load";

    public const string Usage = """
        MLNetSeq2Seq.Bench --omp-load [--policies libgomp,library] [--rounds 3] [--epochs 4] [--length 24] [--rows 2048] [--timeout 300] [--nice 0]
          policies: libgomp (libgomp's own spin), library (the library's default), passive, spin=N, threads=N, joined with '+'
          --nice N sets this session's autogroup nice to N (and starts every child under `nice -n N`; N < 0 needs root):
          on a shared machine a negative N gives the trainings the cores as if they were alone, so "quiet" is quiet and
          "loaded" is the two trainings competing with each other
        """;

    private sealed record Measured(double EpochSeconds, double CpuSeconds, string Settings);

    public static int Run(string[] args)
    {
        var options = Options(args);
        string[] policies = options["--policies"].Split(',', StringSplitOptions.RemoveEmptyEntries);
        int rounds = Int(options["--rounds"]), epochs = Int(options["--epochs"]), length = Int(options["--length"]), rows = Int(options["--rows"]);
        var timeout = TimeSpan.FromSeconds(Int(options["--timeout"]));
        int nice = Int(options["--nice"]);
        var clock = Stopwatch.StartNew();
        Console.WriteLine("# MLNetSeq2Seq: OpenMP wait policy, quiet vs beside a second training");
        Console.WriteLine();
        Console.WriteLine($"- started {DateTime.Now:yyyy-MM-dd HH:mm:ss}, machine: {MachineInfo.Describe()}, load average at start {MachineInfo.LoadAverage()}");
        Console.WriteLine($"- W1 at L={length}, N={rows}, batch {Workload.DefaultBatchSize}; {epochs} epochs per process (epoch 1 left out); {rounds} rounds; policies {string.Join(", ", policies)}; children under nice {nice}");

        // Linux groups processes by session ("autogroups") and shares the CPU fairly between groups before nice
        // applies inside one, so the group's own nice decides how much the other sessions' work interferes.
        if (nice != 0)
            File.WriteAllText(AutogroupFile, nice.ToString(CultureInfo.InvariantCulture));
        try
        {
            return RunRounds(policies, rounds, epochs, length, rows, timeout, nice, clock);
        }
        finally
        {
            if (nice != 0)
                File.WriteAllText(AutogroupFile, "0");
        }
    }

    private const string AutogroupFile = "/proc/self/autogroup";

    private static int RunRounds(string[] policies, int rounds, int epochs, int length, int rows, TimeSpan timeout, int nice, Stopwatch clock)
    {
        Console.WriteLine($"- this session's autogroup: {(File.Exists(AutogroupFile) ? File.ReadAllText(AutogroupFile).Trim() : "n/a")}");
        var quiet = policies.ToDictionary(p => p, _ => new List<Measured>());
        var loaded = policies.ToDictionary(p => p, _ => new List<Measured>());
        for (int round = 0; round < rounds; round++)
        {
            foreach (string name in policies.Skip(round % policies.Length).Concat(policies.Take(round % policies.Length)))
            {
                var policy = new OpenMpPolicyUnderTest(name);
                bool quietFirst = round % 2 == 0;
                for (int side = 0; side < 2; side++)
                {
                    bool isQuiet = (side == 0) == quietFirst;
                    string loadBefore = MachineInfo.LoadAverage().Split(' ')[0];
                    Measured[] runs = RunTogether(policy, isQuiet ? 1 : 2, epochs, length, rows, timeout, nice);
                    var run = new Measured(Median(runs.Select(r => r.EpochSeconds)), runs.Average(r => r.CpuSeconds), runs[0].Settings);
                    (isQuiet ? quiet : loaded)[name].Add(run);
                    Report.Progress($"round {round + 1}, {name,-22} {(isQuiet ? "quiet " : "loaded")}: epoch {run.EpochSeconds:F2} s"
                        + (isQuiet ? "" : $" (processes {string.Join(" / ", runs.Select(r => r.EpochSeconds.ToString("F2", CultureInfo.InvariantCulture)))})")
                        + $", CPU {run.CpuSeconds:F1} s per process; {runs.Select(r => r.Settings).FirstOrDefault(t => t.StartsWith("TIMED OUT", StringComparison.Ordinal)) ?? run.Settings}; load before {loadBefore}");
                }
            }
        }

        Report.Heading($"Loaded ÷ quiet epoch time per OpenMP policy (W1, L={length}, N={rows}; medians over {rounds} rounds, min–max)");
        string reference = policies.Contains(OpenMpPolicyUnderTest.LibgompDefault) ? OpenMpPolicyUnderTest.LibgompDefault : policies[0];
        Report.Table(new[] { "policy", "quiet epoch s", "loaded epoch s", "loaded ÷ quiet", $"quiet ÷ quiet of {reference}", "what the child reported" },
            policies.Select(p => (IReadOnlyList<string>)new[]
            {
                p,
                Summary.Of(quiet[p].Select(r => r.EpochSeconds)).Format("F2"),
                Summary.Of(loaded[p].Select(r => r.EpochSeconds)).Format("F2"),
                Summary.Of(quiet[p].Zip(loaded[p], (q, l) => l.EpochSeconds / q.EpochSeconds)).Format("F2"),
                Summary.Of(quiet[p].Zip(quiet[reference], (q, r) => q.EpochSeconds / r.EpochSeconds)).Format("F2"),
                quiet[p][0].Settings,
            }));
        if (policies.Contains(OpenMpPolicyUnderTest.LibraryDefault) && policies.Contains(OpenMpPolicyUnderTest.LibgompDefault))
        {
            double ratio = Summary.Of(quiet[OpenMpPolicyUnderTest.LibraryDefault].Zip(loaded[OpenMpPolicyUnderTest.LibraryDefault], (q, l) => l.EpochSeconds / q.EpochSeconds)).Median;
            double quietCost = Summary.Of(quiet[OpenMpPolicyUnderTest.LibraryDefault].Zip(quiet[OpenMpPolicyUnderTest.LibgompDefault], (q, r) => q.EpochSeconds / r.EpochSeconds)).Median;
            Report.Line($"Library default: loaded ÷ quiet {Report.F(ratio, "F2")} (target ≤ 2.5: {Report.Verdict(ratio <= 2.5)}); "
                + $"quiet ÷ libgomp's quiet {Report.F(quietCost, "F2")} (target ≤ 1.15: {Report.Verdict(quietCost <= 1.15)}).");
        }
        Console.WriteLine();
        Console.WriteLine($"Total {clock.Elapsed.TotalMinutes:F1} min; load average at the end {MachineInfo.LoadAverage()}.");
        return 0;
    }

    /// <summary>Starts <paramref name="count"/> identical trainings at once and waits for all of them.</summary>
    private static Measured[] RunTogether(OpenMpPolicyUnderTest policy, int count, int epochs, int length, int rows, TimeSpan timeout, int nice)
    {
        var children = Enumerable.Range(0, count).Select(_ => Start(policy, epochs, length, rows, nice)).ToArray();
        var outputs = children.Select(c => (stdout: c.StandardOutput.ReadToEndAsync(), stderr: c.StandardError.ReadToEndAsync())).ToArray();
        var runs = new Measured[count];
        bool timedOut = false;
        for (int i = 0; i < count; i++)
        {
            using Process child = children[i];
            if (timedOut || !child.WaitForExit(timeout))
            {
                timedOut = true;
                foreach (Process other in children)
                    try { other.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                // A lower bound: the child had not finished its epochs within the timeout.
                runs[i] = new Measured(timeout.TotalSeconds / epochs, double.NaN, $"TIMED OUT after {timeout.TotalSeconds:F0} s (epoch time shown is a lower bound)");
                continue;
            }
            string stdout = outputs[i].stdout.Result;
            if (child.ExitCode != 0)
                throw new InvalidOperationException($"OpenMP load child exited with {child.ExitCode}:\n{stdout}\n{outputs[i].stderr.Result}");
            runs[i] = Parse(stdout);
        }
        return runs;
    }

    private static Process Start(OpenMpPolicyUnderTest policy, int epochs, int length, int rows, int nice)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string self = Environment.ProcessPath!;
        start.FileName = self;
        if (nice != 0)
        {
            // Every thread inherits the nice level from the start (setting it afterwards would miss threads already made).
            start.FileName = "nice";
            start.ArgumentList.Add("-n");
            start.ArgumentList.Add(nice.ToString(CultureInfo.InvariantCulture));
            start.ArgumentList.Add(self);
        }
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (string argument in new[] { OpenMpLoadChild.Flag, policy.ChildPolicy, epochs.ToString(), length.ToString(), rows.ToString() })
            start.ArgumentList.Add(argument);
        foreach (string variable in OpenMpPolicyUnderTest.OpenMpVariables)
            start.Environment.Remove(variable);
        foreach (var (name, value) in policy.Environment())
            start.Environment[name] = value;
        return Process.Start(start)!;
    }

    private static Measured Parse(string output)
    {
        string line = output.Split('\n').LastOrDefault(l => l.StartsWith("OMPLOAD ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"The OpenMP load child printed no OMPLOAD line:\n{output}");
        string settings = line[(line.IndexOf("settings=", StringComparison.Ordinal) + "settings=".Length)..].Trim();
        var fields = line[..line.IndexOf(" settings=", StringComparison.Ordinal)].Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(kv => kv.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
        double[] epochSeconds = fields["epochs"].Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        return new Measured(Median(epochSeconds.Skip(1)), double.Parse(fields["cpu"], CultureInfo.InvariantCulture),
            $"{settings}, {fields["threads"]} threads");
    }

    private static double Median(IEnumerable<double> values) => Summary.Of(values).Median;

    private static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    private static Dictionary<string, string> Options(string[] args)
    {
        var options = new Dictionary<string, string>
        {
            ["--policies"] = $"{OpenMpPolicyUnderTest.LibgompDefault},{OpenMpPolicyUnderTest.LibraryDefault}",
            ["--rounds"] = "3", ["--epochs"] = "4", ["--length"] = "24", ["--rows"] = "2048", ["--timeout"] = "300", ["--nice"] = "0",
        };
        for (int i = 0; i < args.Length; i++)
        {
            if (!options.ContainsKey(args[i]) || i + 1 >= args.Length)
                throw new ArgumentException($"Unknown argument '{args[i]}'.\n{Usage}");
            options[args[i]] = args[++i];
        }
        return options;
    }
}
