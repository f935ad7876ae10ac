using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace MLNetSeq2Seq.Bench;

/// <summary>
/// Command-line settings. Defaults are the full run (about 15 minutes on the shared 2-core machine); --quick
/// shrinks every figure to finish in under 2 minutes. Any option given explicitly overrides either.
/// </summary>
internal sealed class BenchArguments
{
    public const string Usage = """
        MLNetSeq2Seq.Bench [--quick] [options]
          --figures 1,2,3,4,5        which figures (1, 2 and 5 share their training runs)        default all
          --lengths 24,96,336        input lengths L for figures 1, 2, 5                         quick: 24,96
          --rows 4096                training sequences N                                        quick: 1024
          --pairs 7,5,3              alternated pairs per length (one number: all lengths)        quick: 3
          --scale-rows 16384         figure 5: the second N, at the shortest L                   quick: 4096
          --scale-pairs 3            pairs for that configuration                                quick: 3
          --warmup-epochs 16         untimed warm-up epochs per side (L=24, N=512) before figures quick: 4
          --inference-lengths 24,96  figure 3 input lengths                                      quick: 24
          --inference-rows 4096      rows scored by Transform and by the PredictionEngine        quick: 1024
          --raw-per-row-rows 1024    rows of the hand-written per-row reference                  quick: 256
          --inference-pairs 3        rounds per length                                           quick: 3
          --memory-length 336        figure 4 input length                                       quick: 96
          --memory-batch 1024        effective batch (one optimizer step: rows = batch)          quick: 512
          --memory-micro 128         the micro-batch compared with the whole batch               quick: 64
          --memory-pairs 2           alternated pairs of child processes                         quick: 1
          --live-length 24 --live-rows 4096 --live-epochs 10                                     quick rows: 1024
          --omp-wait passive         OMP_WAIT_POLICY for libtorch: passive | active | default (see docs/benchmarks.md)
        MLNetSeq2Seq.Bench --future-inputs [--parts a,b] [--rows 4000] [--csv PATH] [--seed 1]
                                     known-future inputs: (a) scheduled-event series with/without the schedule,
                                     (b) ETTh2 H = 24 with/without calendar features (docs/benchmarks.md)
        MLNetSeq2Seq.Bench --noise-scale-overhead [--pairs 5] [--rows 4096] [--epochs 2] [--every 10] [--length 24] [--case split|micro|both]
                                     Fit epochs with the gradient noise scale off and on, side by side (docs/benchmarks.md)
        MLNetSeq2Seq.Bench --loop-parts [--lengths 24,96,336] [--rows 4096] [--rounds 5] [--warmup-epochs 4]
                                     figure 1 taken apart: the raw loop with the library's clipping, AdamW step and divergence
                                     watch swapped in one at a time, and the component's epoch, side by side (docs/benchmarks.md)
        """;

    public bool Quick { get; private set; }
    public HashSet<int> Figures { get; private set; } = new() { 1, 2, 3, 4, 5 };
    public int[] Lengths { get; private set; } = { 24, 96, 336 };
    public int Rows { get; private set; } = 4096;
    public int[] Pairs { get; private set; } = { 7, 5, 3 };
    public int ScaleRows { get; private set; } = 16384;
    public int ScalePairs { get; private set; } = 3;
    public int WarmupEpochs { get; private set; } = 16;
    public int[] InferenceLengths { get; private set; } = { 24, 96 };
    public int InferenceRows { get; private set; } = 4096;
    public int RawPerRowRows { get; private set; } = 1024;
    public int InferencePairs { get; private set; } = 3;
    public int MemoryLength { get; private set; } = 336;
    public int MemoryBatch { get; private set; } = 1024;
    public int MemoryMicro { get; private set; } = 128;
    public int MemoryPairs { get; private set; } = 2;
    public int LiveLength { get; private set; } = 24;
    public int LiveRows { get; private set; } = 4096;
    public int LiveEpochs { get; private set; } = 10;
    public string OmpWait { get; private set; } = "passive";

    /// <summary>Pairs for the length at <paramref name="index"/> of <see cref="Lengths"/>.</summary>
    public int PairsFor(int index) => Pairs.Length == 1 ? Pairs[0] : Pairs[Math.Min(index, Pairs.Length - 1)];

    public static BenchArguments Parse(string[] args)
    {
        var result = new BenchArguments();
        var values = new Dictionary<string, string>();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (name == "--quick")
                result.Quick = true;
            else if (name.StartsWith("--") && i + 1 < args.Length)
                values[name] = args[++i];
            else
                throw new ArgumentException($"Unknown argument '{name}'.\n{Usage}");
        }
        if (result.Quick)
            result.ApplyQuickDefaults();
        foreach (var (name, value) in values)
            result.Set(name, value);
        return result;
    }

    private void ApplyQuickDefaults()
    {
        Lengths = new[] { 24, 96 };
        Rows = 1024;
        Pairs = new[] { 3 };
        ScaleRows = 4096;
        ScalePairs = 3;
        WarmupEpochs = 4;
        InferenceLengths = new[] { 24 };
        InferenceRows = 1024;
        RawPerRowRows = 256;
        InferencePairs = 3;
        MemoryLength = 96;
        MemoryBatch = 512;
        MemoryMicro = 64;
        MemoryPairs = 1;
        LiveRows = 1024;
    }

    private void Set(string name, string value)
    {
        switch (name)
        {
            case "--figures": Figures = Ints(value).ToHashSet(); break;
            case "--lengths": Lengths = Ints(value); break;
            case "--rows": Rows = Int(value); break;
            case "--pairs": Pairs = Ints(value); break;
            case "--scale-rows": ScaleRows = Int(value); break;
            case "--scale-pairs": ScalePairs = Int(value); break;
            case "--warmup-epochs": WarmupEpochs = Int(value); break;
            case "--inference-lengths": InferenceLengths = Ints(value); break;
            case "--inference-rows": InferenceRows = Int(value); break;
            case "--raw-per-row-rows": RawPerRowRows = Int(value); break;
            case "--inference-pairs": InferencePairs = Int(value); break;
            case "--memory-length": MemoryLength = Int(value); break;
            case "--memory-batch": MemoryBatch = Int(value); break;
            case "--memory-micro": MemoryMicro = Int(value); break;
            case "--memory-pairs": MemoryPairs = Int(value); break;
            case "--live-length": LiveLength = Int(value); break;
            case "--live-rows": LiveRows = Int(value); break;
            case "--live-epochs": LiveEpochs = Int(value); break;
            case "--omp-wait": OmpWait = value; break;
            default: throw new ArgumentException($"Unknown option '{name}'.\n{Usage}");
        }
    }

    private static int Int(string value) => int.Parse(value, CultureInfo.InvariantCulture);

    private static int[] Ints(string value) => value.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Int).ToArray();

    public override string ToString() =>
        (Quick ? "--quick " : "") + $"figures {string.Join(",", Figures.Order())}; L {string.Join(",", Lengths)}, N {Rows}, pairs {string.Join(",", Pairs)}; "
        + $"scale N {ScaleRows} ({ScalePairs} pairs); warm-up {WarmupEpochs} epochs; inference L {string.Join(",", InferenceLengths)}, {InferenceRows} rows "
        + $"(raw per-row {RawPerRowRows}), {InferencePairs} rounds; memory L {MemoryLength}, batch {MemoryBatch} vs micro {MemoryMicro}, {MemoryPairs} pairs; "
        + $"live tensors L {LiveLength}, N {LiveRows}, {LiveEpochs} epochs";
}
