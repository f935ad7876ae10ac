using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;

namespace MLNetSeq2Seq.Tests.Reliability;

/// <summary>
/// Runs in a child process (command "fuzz-seq2seq-model"): flips random bits of a saved model, loads and scores each
/// damaged copy, and prints one line per case before trying it, so that a native crash names its case. Half the
/// cases flip bits of the zip file itself; half flip bits of one decompressed entry and write a valid zip around it,
/// which reaches the loaders' own parsing (lengths, header fields) instead of stopping at the zip layer; a third
/// flips bits behind the checksums and makes them match again, which reaches the weight and architecture parsers.
/// ML.NET's own "Schema" entry is left alone: ML.NET 5.0.1's BinaryLoader can loop forever on a damaged one (for
/// example a flipped bit in a vector type's dimension count) before any Seq2Seq code runs, which no component can
/// guard (docs/reliability.md). A case that runs longer than <see cref="CaseTimeout"/> ends the process with exit code 4.
/// </summary>
internal static class ModelFuzzer
{
    public const string Command = "fuzz-seq2seq-model";
    private const string SchemaEntry = "Schema";
    // A flipped size field in a resealed architecture (e.g. a hidden size of 4 read as 1,540) legitimately builds a large
    // network before the weights' shapes refuse it: seconds on a quiet machine, tens of seconds on a loaded one. A hang
    // is what never ends, so the bound is generous.
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(90);

    /// <summary>args: model path, case count, seed. Exit code 0 when every case loaded identically or threw.</summary>
    public static int Run(string[] args)
    {
        byte[] clean = File.ReadAllBytes(args[0]);
        int cases = int.Parse(args[1], CultureInfo.InvariantCulture);
        var random = new Random(int.Parse(args[2], CultureInfo.InvariantCulture));
        var scoringContext = new MLContext(seed: 1);
        float[] expected = Scores(scoringContext, clean);
        ModelZip entries = ModelZip.Read(clean);
        var (_, schemaStart, schemaEnd) = ModelZip.LocalRanges(clean).Single(r => r.Name == SchemaEntry);
        int currentCase = -1;
        using var watchdog = new System.Threading.Timer(_ =>
        {
            Console.WriteLine($"HUNG in case {currentCase}");
            Console.Out.Flush();
            Environment.Exit(4);
        });
        var outcomes = new Dictionary<string, int>();
        int identical = 0, threw = 0, different = 0, forgedLoaded = 0;

        for (int i = 0; i < cases; i++)
        {
            (byte[] damaged, string where) = (i % 3) switch
            {
                0 => FlipFileBits(clean, random, schemaStart, schemaEnd),
                1 => FlipEntryBits(entries, random),
                _ => FlipSealedBits(entries, random),
            };
            bool sealedAgain = i % 3 == 2;
            Console.WriteLine($"case {i}: {where}");
            Console.Out.Flush();
            currentCase = i;
            watchdog.Change(CaseTimeout, System.Threading.Timeout.InfiniteTimeSpan);
            try
            {
                if (sealedAgain)
                {
                    // The checksum no longer protects these: any weights may load, so only loading is checked.
                    LoadAndDispose(damaged);
                    forgedLoaded++;
                }
                else if (Scores(scoringContext, damaged).SequenceEqual(expected))
                {
                    identical++;
                }
                else
                {
                    different++;
                    Console.WriteLine("  DIFFERENT scores");
                }
            }
            catch (Exception ex)
            {
                threw++;
                Exception innermost = ReliabilityKit.Chain(ex).Last();
                string key = $"{ex.GetType().Name} > {innermost.GetType().Name}";
                outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
                Console.WriteLine($"  threw {key}: {innermost.Message.Split('\n')[0]}");
            }
        }
        watchdog.Change(System.Threading.Timeout.Infinite, System.Threading.Timeout.Infinite);
        foreach (var (key, count) in outcomes.OrderByDescending(o => o.Value))
            Console.WriteLine($"OUTCOME {count} × {key}");
        Console.WriteLine($"SUMMARY identical={identical} forged-loaded={forgedLoaded} threw={threw} different={different}");
        return different == 0 ? 0 : 3;
    }

    private static float[] Scores(MLContext ml, byte[] zip)
    {
        ITransformer model = new MLContext().Model.Load(new MemoryStream(zip), out _);
        try
        {
            return Seq2SeqTransformerTests.Scores(ml, model);
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
    }

    private static void LoadAndDispose(byte[] zip) => (new MLContext().Model.Load(new MemoryStream(zip), out _) as IDisposable)?.Dispose();

    /// <summary>Bits of the body's or the weights' payload, with the checksum made to match again: what reaches
    /// the parsers behind it (lengths, counts, shapes, the architecture).</summary>
    private static (byte[], string) FlipSealedBits(ModelZip clean, Random random)
    {
        bool body = random.Next(2) == 0;
        string name = body ? ModelZip.BodyEntry : ModelZip.WeightsEntry;
        string flips = "";
        var copy = ModelZip.Read(clean.ToBytes());
        copy[name] = ModelZip.Resealed(clean[name], body ? ModelZip.BodyBlockOffset : 0, payload => flips = Flip(payload, random, _ => true));
        return (copy.ToBytes(), $"sealed {name} payload bits {flips}");
    }

    private static (byte[], string) FlipFileBits(byte[] clean, Random random, int skipStart, int skipEnd)
    {
        byte[] damaged = (byte[])clean.Clone();
        string flips = Flip(damaged, random, offset => offset < skipStart || offset >= skipEnd);
        return (damaged, $"file bits {flips}");
    }

    private static (byte[], string) FlipEntryBits(ModelZip clean, Random random)
    {
        // Mostly our own entries (body and weights), sometimes the others but the schema.
        var ours = clean.Entries.Where(e => e.Name.StartsWith("TransformerChain/", StringComparison.Ordinal)).ToList();
        var all = clean.Entries.Where(e => e.Name != SchemaEntry).ToList();
        var (name, bytes) = random.NextDouble() < 0.8 ? ours[random.Next(ours.Count)] : all[random.Next(all.Count)];
        byte[] damaged = (byte[])bytes.Clone();
        string flips = Flip(damaged, random, _ => true);
        var copy = ModelZip.Read(clean.ToBytes());
        copy[name] = damaged;
        return (copy.ToBytes(), $"entry {name} bits {flips}");
    }

    private static string Flip(byte[] bytes, Random random, Func<int, bool> allowed)
    {
        int count = 1 + random.Next(4);
        var flips = new List<string>(count);
        for (int k = 0; k < count; k++)
        {
            int offset;
            do
                offset = random.Next(bytes.Length);
            while (!allowed(offset));
            int bit = random.Next(8);
            bytes[offset] ^= (byte)(1 << bit);
            flips.Add($"{offset}.{bit}");
        }
        return string.Join(" ", flips);
    }
}
