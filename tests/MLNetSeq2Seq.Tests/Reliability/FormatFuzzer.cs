using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Tests.ChildProcess;
using MLNetSeq2Seq.Tests.Forecasting;
using MLNetSeq2Seq.Tests.PyTorch;

namespace MLNetSeq2Seq.Tests.Reliability;

/// <summary>
/// Runs in a child process (command "fuzz-formats"): for each file format the library reads, mutated copies of a valid
/// file, each read through the public entry point under an address-space cap. Prints one line per case before trying
/// it (so a native crash names its case) and one after: "ok" (read, and for models scored), "documented" (the entry
/// point's documented exception) or "UNDOCUMENTED" (any other exception), with the time, the managed bytes and the
/// peak resident growth (<see cref="RefusalMeter"/>). A case running past <see cref="CaseTimeout"/> ends the process
/// with exit code 4. Formats and their documented exceptions (docs/reliability.md):
/// model zip (Model.Load: FormatException, ML.NET's wrapping TargetInvocationException → FormatException, or the zip
/// reader's InvalidDataException); PyTorch safetensors (ImportSeq2SeqFromPyTorch: FormatException), forecast-engine
/// state (Seq2SeqForecastEngine.Load: InvalidDataException, ArgumentException for another model's state), window CSV
/// scored by Transform (InvalidOperationException naming the row, ArgumentOutOfRangeException naming the column).
/// </summary>
internal static class FormatFuzzer
{
    public const string Command = "fuzz-formats";
    public static readonly string[] Formats = { "model", "safetensors", "engine", "csv" };
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(30);
    private const long AddressSpaceMargin = 4L << 30;

    /// <summary>args: cases per format, seed. Exit code 0 when every case ended "ok" or "documented".</summary>
    public static int Run(string[] args)
    {
        int cases = int.Parse(args[0], CultureInfo.InvariantCulture);
        int seed = int.Parse(args[1], CultureInfo.InvariantCulture);
        using var forecaster = new TrainedForecaster();
        MLContext ml = forecaster.Context;
        byte[] model = Saved(ml, forecaster);
        byte[] safetensors = Exported(ml, forecaster);
        byte[] engine = EngineState(forecaster);
        string csv = Csv(forecaster);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        AddressSpaceLimit.Set(AddressSpaceLimit.VirtualMemory("VmSize") + AddressSpaceMargin);
        Console.WriteLine($"CAP {AddressSpaceMargin >> 20} MiB above the mapped address space");

        int current = -1;
        string format = "";
        using var watchdog = new System.Threading.Timer(_ =>
        {
            Console.WriteLine($"HUNG in {format} case {current}");
            Console.Out.Flush();
            Environment.Exit(4);
        });
        int undocumented = 0;
        foreach (string name in Formats)
        {
            format = name;
            // The same cases in every run of a seed: string.GetHashCode is randomised per process, so it must not pick them.
            var random = new Random(seed + 1000 * Array.IndexOf(Formats, name));
            var tally = new Dictionary<string, int>();
            TimeSpan slowest = TimeSpan.Zero;
            long mostManaged = 0, mostResident = 0;
            for (int i = 0; i < cases; i++)
            {
                var (family, read) = name switch
                {
                    "model" => MutateModel(model, random, ml, forecaster),
                    "safetensors" => MutateSafeTensors(safetensors, random, i, forecaster.Split.Test),
                    "engine" => MutateEngine(engine, random, forecaster),
                    _ => MutateCsv(csv, random, forecaster),
                };
                Console.WriteLine($"case {name} {i}: {family}");
                Console.Out.Flush();
                current = i;
                watchdog.Change(CaseTimeout, System.Threading.Timeout.InfiniteTimeSpan);
                RefusalMeter.Refusal outcome = RefusalMeter.Measure(read);
                watchdog.Change(System.Threading.Timeout.Infinite, System.Threading.Timeout.Infinite);
                string verdict = Verdict(name, outcome.Error);
                if (verdict == "UNDOCUMENTED")
                    undocumented++;
                string familyName = family.Split(' ')[0];
                tally[$"{familyName} {verdict}"] = tally.GetValueOrDefault($"{familyName} {verdict}") + 1;
                slowest = outcome.Elapsed > slowest ? outcome.Elapsed : slowest;
                mostManaged = Math.Max(mostManaged, outcome.ManagedBytes);
                mostResident = Math.Max(mostResident, outcome.PeakResidentGrowth);
                Console.WriteLine($"  {verdict}: {outcome}".Split('\n')[0]);
            }
            foreach (var (key, count) in tally.OrderBy(t => t.Key, StringComparer.Ordinal))
                Console.WriteLine($"TALLY {name} {key} {count}");
            Console.WriteLine(FormattableString.Invariant(
                $"FORMAT {name} cases={cases} slowest_ms={slowest.TotalMilliseconds:F0} most_managed_mib={mostManaged / 1048576.0:F2} most_resident_mib={mostResident / 1048576.0:F2}"));
        }
        Console.WriteLine($"SUMMARY undocumented={undocumented}");
        return undocumented == 0 ? 0 : 3;
    }

    private static string Verdict(string format, Exception? error)
    {
        if (error is null)
            return "ok";
        // ML.NET resolves the loader's assembly name, written in its own header of the entry, before any Seq2Seq code
        // runs: a damaged name fails there. Counted apart, not as the library's.
        if (format == "model" && error is FileNotFoundException or FileLoadException or CultureNotFoundException)
            return "mlnet-header";
        bool documented = format switch
        {
            "model" => error is ScoringError scoring ? DocumentedForScoring(scoring.InnerException!)
                : error is FormatException or InvalidDataException || (error is TargetInvocationException && error.InnerException is FormatException),
            "safetensors" => error is ScoringError scored ? DocumentedForScoring(scored.InnerException!) : error is FormatException,
            "engine" => error is InvalidDataException || error.GetType() == typeof(ArgumentException),
            // CreateSequenceWindows refuses a series too short for one window with ArgumentException (ParamName options).
            _ => DocumentedForScoring(error) || (error.GetType() == typeof(ArgumentException) && ((ArgumentException)error).ParamName == "options"),
        };
        return documented ? "documented" : "UNDOCUMENTED";
    }

    // Transform's documented refusals: a row's values (InvalidOperationException naming it) or the columns
    // (ArgumentOutOfRangeException naming the column).
    private static bool DocumentedForScoring(Exception error) => error is InvalidOperationException or ArgumentOutOfRangeException;

    /// <summary>Raised by the harness around an error from scoring a model that loaded, so it is judged as Transform's.</summary>
    private sealed class ScoringError(Exception inner) : Exception("scoring the loaded model failed", inner);

    private static byte[] Saved(MLContext ml, TrainedForecaster forecaster)
    {
        using var stream = new MemoryStream();
        ml.Model.Save(forecaster.Model, forecaster.Split.Train.Schema, stream);
        return stream.ToArray();
    }

    private static byte[] Exported(MLContext ml, TrainedForecaster forecaster)
    {
        using var stream = new MemoryStream();
        ml.Model.ExportSeq2SeqToPyTorch(forecaster.Model, stream);
        return stream.ToArray();
    }

    private static byte[] EngineState(TrainedForecaster forecaster)
    {
        var engine = forecaster.Model.CreateForecastEngine(forecaster.Context, forecaster.Series(400), "Time");
        using var stream = new MemoryStream();
        engine.CheckPoint(stream);
        return stream.ToArray();
    }

    private static string Csv(TrainedForecaster forecaster)
    {
        var text = new StringBuilder("A,B,C\n");
        foreach (var row in forecaster.Rows.Take(120))
            text.Append(FormattableString.Invariant($"{row.A:R},{row.B:R},{row.C:R}\n"));
        return text.ToString();
    }

    // ---- model zip: our two entries and the file itself ----

    private static (string, Action) MutateModel(byte[] clean, Random random, MLContext ml, TrainedForecaster forecaster)
    {
        ModelZip entries = ModelZip.Read(clean);
        string entry = random.Next(2) == 0 ? ModelZip.BodyEntry : ModelZip.WeightsEntry;
        int offset = entry == ModelZip.BodyEntry ? ModelZip.BodyBlockOffset : 0;
        byte[] damaged;
        string family;
        switch (random.Next(4))
        {
            case 0:
                (damaged, family) = Truncation(clean, random);
                break;
            case 1:
                entries[entry] = Flipped(entries[entry], random, out string flips);
                damaged = entries.ToBytes();
                family = $"bitflip {entry} {flips}";
                break;
            case 2:
                string sealedFlips = "";
                entries[entry] = ModelZip.Resealed(entries[entry], offset, payload => sealedFlips = FlipInPlace(payload, random));
                damaged = entries.ToBytes();
                family = $"resealed-bitflip {entry} {sealedFlips}";
                break;
            default:
                string extreme = "";
                entries[entry] = ModelZip.Resealed(entries[entry], offset, payload => extreme = Extreme(payload, random));
                damaged = entries.ToBytes();
                family = $"resealed-extreme {entry} {extreme}";
                break;
        }
        return (family, () =>
        {
            ITransformer loaded = ml.Model.Load(new MemoryStream(damaged), out _);
            try
            {
                foreach (float[] score in loaded.Transform(forecaster.Split.Test).GetColumn<float[]>("Score"))
                    RequireFinite(score);
            }
            catch (Exception ex) when (ex is not NonFiniteScoreException)
            {
                throw new ScoringError(ex);
            }
            finally
            {
                (loaded as IDisposable)?.Dispose();
            }
        });
    }

    // ---- safetensors: the 8-byte header length, the JSON header, the tensor bytes ----

    private static (string, Action) MutateSafeTensors(byte[] clean, Random random, int index, IDataView test)
    {
        long headerLength = BitConverter.ToInt64(clean, 0);
        byte[] damaged;
        string family;
        switch (random.Next(5))
        {
            case 0:
                (damaged, family) = Truncation(clean, random);
                break;
            case 1:
                (damaged, family) = BitFlip(clean, random);
                break;
            case 2:
                damaged = (byte[])clean.Clone();
                long[] lengths = { 0, -1, long.MaxValue, headerLength + 1, headerLength - 1, clean.Length, 1L << 40 };
                long claimed = lengths[random.Next(lengths.Length)];
                BitConverter.GetBytes(claimed).CopyTo(damaged, 0);
                family = $"header-length-extreme {claimed}";
                break;
            case 3:
                (damaged, family) = HeaderNumberExtreme(clean, headerLength, random);
                break;
            default:
                damaged = (byte[])clean.Clone();
                int dataStart = 8 + (int)headerLength;
                int at = dataStart + 4 * random.Next((damaged.Length - dataStart) / 4);
                float[] values = { float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue };
                float value = values[random.Next(values.Length)];
                BitConverter.GetBytes(value).CopyTo(damaged, at);
                family = $"tensor-value {value} at {at}";
                break;
        }
        // Every other case through a stream that cannot seek (the reader then cannot look at the length first).
        bool seekable = index % 2 == 0;
        return (family + (seekable ? "" : " (non-seekable)"), () =>
        {
            Stream stream = seekable ? new MemoryStream(damaged) : new ForwardOnlyStream(damaged);
            using Seq2SeqTransformer imported = new MLContext(seed: 1).Model.ImportSeq2SeqFromPyTorch(stream);
            try
            {
                foreach (float[] score in imported.Transform(test).GetColumn<float[]>("Score"))
                    RequireFinite(score);
            }
            catch (Exception ex) when (ex is not NonFiniteScoreException)
            {
                throw new ScoringError(ex);
            }
        });
    }

    private static (byte[], string) HeaderNumberExtreme(byte[] clean, long headerLength, Random random)
    {
        string header = Encoding.UTF8.GetString(clean, 8, (int)headerLength);
        var numbers = System.Text.RegularExpressions.Regex.Matches(header, @"(?<![A-Za-z_])-?\d+(\.\d+)?([eE][-+]?\d+)?");
        var match = numbers[random.Next(numbers.Count)];
        string[] extremes = { "0", "-1", "2147483647", "2147483648", "9223372036854775807", "18446744073709551616", "1e308", "-0.5", "4096", "1048576" };
        string replacement = extremes[random.Next(extremes.Length)];
        string edited = header[..match.Index] + replacement + header[(match.Index + match.Length)..];
        byte[] editedBytes = Encoding.UTF8.GetBytes(edited);
        byte[] damaged = BitConverter.GetBytes((long)editedBytes.Length).Concat(editedBytes).Concat(clean.Skip(8 + (int)headerLength)).ToArray();
        string context = header.Substring(Math.Max(0, match.Index - 24), Math.Min(24, match.Index)).Replace("\"", "'", StringComparison.Ordinal);
        return (damaged, $"header-number-extreme …{context}[{match.Value}→{replacement}]");
    }

    // ---- forecast-engine state: raw damage (the checksum refuses it) and fields edited and sealed again ----

    private static (string, Action) MutateEngine(byte[] clean, Random random, TrainedForecaster forecaster)
    {
        byte[] damaged;
        string family;
        switch (random.Next(3))
        {
            case 0:
                (damaged, family) = Truncation(clean, random);
                break;
            case 1:
                (damaged, family) = BitFlip(clean, random);
                break;
            default:
                var state = new EngineStateFile(clean);
                family = "resealed-extreme " + EditEngineField(state, random);
                damaged = state.Sealed();
                break;
        }
        return (family, () =>
        {
            var engine = Seq2SeqForecastEngine.Load(forecaster.Context, forecaster.Model, new MemoryStream(damaged));
            RequireFinite(engine.Predict().Values);
        });
    }

    private static string EditEngineField(EngineStateFile state, Random random)
    {
        long[] longs = { 0, -1, long.MinValue, long.MaxValue, 1, int.MaxValue };
        int[] ints = { 0, -1, int.MinValue, int.MaxValue, 1, 1 << 24 };
        float[] floats = { float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, -float.MaxValue };
        switch (random.Next(7))
        {
            case 0:
                int at = random.Next(state.Window.Length);
                state.Window[at] = floats[random.Next(floats.Length)];
                return $"window[{at}] = {state.Window[at]}";
            case 1:
                state.StepTicks = longs[random.Next(longs.Length)];
                return $"step ticks = {state.StepTicks}";
            case 2:
                state.LastTicks = longs[random.Next(longs.Length)];
                return $"last ticks = {state.LastTicks}";
            case 3:
                state.ObservationCount = longs[random.Next(longs.Length)];
                return $"observation count = {state.ObservationCount}";
            case 4:
                state.InputLength = ints[random.Next(ints.Length)];
                return $"input length = {state.InputLength}";
            case 5:
                state.LastKind = ints[random.Next(ints.Length)];
                return $"kind = {state.LastKind}";
            default:
                state.Version = ints[random.Next(ints.Length)];
                return $"version = {state.Version}";
        }
    }

    // ---- window CSV: cells, lines and the file's end, loaded by ML.NET's text loader and scored ----

    private static (string, Action) MutateCsv(string clean, Random random, TrainedForecaster forecaster)
    {
        string[] lines = clean.Split('\n');
        int line = 1 + random.Next(lines.Length - 2);
        string[] cells = lines[line].Split(',');
        string family;
        switch (random.Next(4))
        {
            case 0:
                string[] values = { "NaN", "Infinity", "-Infinity", "", "abc", "1e39", "-1e39", "3.4e38", "1e-45", "0x10" };
                int column = random.Next(cells.Length);
                cells[column] = values[random.Next(values.Length)];
                lines[line] = string.Join(',', cells);
                family = $"cell line {line} column {column} = '{cells[column]}'";
                break;
            case 1:
                lines[line] = random.Next(2) == 0 ? string.Join(',', cells.Take(cells.Length - 1)) : lines[line] + ",7";
                family = $"fields line {line}: {lines[line]}";
                break;
            case 2:
                lines = lines.Take(line).Append(lines[line][..(lines[line].Length / 2)]).ToArray();
                family = $"truncation inside line {line}";
                break;
            default:
                lines = lines.Take(line).ToArray();
                family = $"rows cut to {line - 1}";
                break;
        }
        string text = string.Join('\n', lines);
        return (family, () =>
        {
            using var folder = new TemporaryFolder();
            string path = folder.File("series.csv");
            File.WriteAllText(path, text);
            MLContext ml = forecaster.Context;
            IDataView series = ml.Data.LoadFromTextFile(path, new[]
            {
                new TextLoader.Column("A", DataKind.Single, 0),
                new TextLoader.Column("B", DataKind.Single, 1),
                new TextLoader.Column("C", DataKind.Single, 2),
            }, separatorChar: ',', hasHeader: true);
            IDataView windows = ml.Data.CreateSequenceWindows(series, TrainedForecaster.WindowOptions());
            foreach (float[] score in forecaster.Model.Transform(windows).GetColumn<float[]>("Score"))
                RequireFinite(score);
        });
    }

    private static void RequireFinite(IEnumerable<float> values)
    {
        if (values.Any(v => !float.IsFinite(v)))
            throw new NonFiniteScoreException();
    }

    /// <summary>Raised by the harness, never by the library: a score that is NaN or infinite without an error.</summary>
    private sealed class NonFiniteScoreException : Exception
    {
        public NonFiniteScoreException() : base("a score is NaN or infinite, and nothing said so") { }
    }

    // ---- shared mutations ----

    private static (byte[], string) Truncation(byte[] clean, Random random)
    {
        int length = random.Next(clean.Length);
        return (clean.AsSpan(0, length).ToArray(), $"truncation to {length} of {clean.Length} bytes");
    }

    private static (byte[], string) BitFlip(byte[] clean, Random random)
    {
        byte[] damaged = Flipped(clean, random, out string flips);
        return (damaged, $"bitflip {flips}");
    }

    private static byte[] Flipped(byte[] clean, Random random, out string flips)
    {
        byte[] copy = (byte[])clean.Clone();
        flips = FlipInPlace(copy, random);
        return copy;
    }

    private static string FlipInPlace(byte[] bytes, Random random)
    {
        int count = 1 + random.Next(4);
        var flips = new List<string>(count);
        for (int k = 0; k < count; k++)
        {
            int offset = random.Next(bytes.Length);
            int bit = random.Next(8);
            bytes[offset] ^= (byte)(1 << bit);
            flips.Add($"{offset}.{bit}");
        }
        return string.Join(" ", flips);
    }

    // A 4- or 8-byte field at a random aligned offset set to an extreme: counts, lengths, dimensions, floats.
    private static string Extreme(byte[] payload, Random random)
    {
        bool wide = random.Next(3) == 0 && payload.Length >= 8;
        int slots = payload.Length / (wide ? 8 : 4);
        int at = random.Next(slots) * (wide ? 8 : 4);
        if (wide)
        {
            long[] values = { 0, -1, long.MaxValue, long.MinValue, 1L << 40 };
            long value = values[random.Next(values.Length)];
            BitConverter.GetBytes(value).CopyTo(payload, at);
            return $"int64 {value} at {at}";
        }
        if (random.Next(3) == 0)
        {
            float[] floats = { float.NaN, float.PositiveInfinity, float.MaxValue };
            float f = floats[random.Next(floats.Length)];
            BitConverter.GetBytes(f).CopyTo(payload, at);
            return $"float {f} at {at}";
        }
        int[] ints = { 0, -1, int.MaxValue, int.MinValue, 1 << 20, 1 << 30 };
        int v = ints[random.Next(ints.Length)];
        BitConverter.GetBytes(v).CopyTo(payload, at);
        return $"int32 {v} at {at}";
    }
}
