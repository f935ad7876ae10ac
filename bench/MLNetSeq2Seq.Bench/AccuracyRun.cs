using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetSeq2Seq.Bench;

/// <summary>
/// The accuracy run (--accuracy): ETTh2 standard protocol (train rows [0, 8640), validation targets [8640, 11520), test
/// targets [11520, 14400), train-only z-scores), L = 96, all seven columns in and out, for each horizon the
/// <c>mlContext.Forecasting.Seq2Seq</c> defaults next to persistence and the closed-form linear baseline on the same
/// test windows, with the candidate the baseline comparison kept and every candidate's validation score.
/// --data illness runs national_illness.csv on its protocol instead (70/10/20 rows: train [0, 676), validation targets
/// [676, 773), test targets [773, 966); L = 36, H = 24/36/48/60). Options after the flag override the defaults, to try
/// recipes: --hidden, --epochs, --patience, --lr, --batch, --dropout, --segment, --schedule, --normalization, --amplitude,
/// --channel-independent, --loss, --family, --comparison, --horizons, --lookback; the opt-in model search with
/// --search-families, --search-lookbacks, --search-minutes, and the patch Transformer's settings with --patch P/S/d/heads/layers/ff.
/// </summary>
internal static class AccuracyRun
{
    public const string Flag = "--accuracy";

    // Published ETTh2, L = 96 (MSE, MAE): SegRNN (lss-1138/SegRNN README) and iTransformer (its paper, MSE).
    private static readonly Dictionary<int, (double Mse, double Mae)> s_segRnn = new() { [96] = (0.278, 0.335), [192] = (0.359, 0.389), [336] = (0.421, 0.436), [720] = (0.432, 0.455) };
    private static readonly Dictionary<int, double> s_iTransformer = new() { [96] = 0.297, [192] = 0.380, [336] = 0.428, [720] = 0.427 };

    public static int Run(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        bool illness = args.SkipWhile(a => a != "--data").Skip(1).FirstOrDefault() == "illness";
        string csv = Path.Combine("..", "shared", "data", illness ? "national_illness.csv" : "ETTh2.csv");
        int[] horizons = illness ? new[] { 24, 36, 48, 60 } : new[] { 24, 96, 192, 336, 720 };
        int lookback = illness ? 36 : 96;
        int seed = 1;
        var overrides = new List<Action<Seq2SeqOptions>>();
        var settings = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value");
            switch (name)
            {
                case "--csv": csv = Value(); break;
                case "--horizons": horizons = Value().Split(',').Select(int.Parse).ToArray(); break;
                case "--seed": seed = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--data": Value(); break;
                case "--lookback": lookback = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                default:
                    string value = Value();
                    settings.Add($"{name} {value}");
                    overrides.Add(Override(name, value));
                    break;
            }
        }
        if (!File.Exists(csv))
        {
            Console.Error.WriteLine($"{csv} not found: the accuracy run needs it (see ../shared/data/README.md); pass --csv PATH.");
            return 2;
        }

        var clock = Stopwatch.StartNew();
        Console.WriteLine(illness
            ? $"# Accuracy: national_illness, L = {lookback}, 7 → 7 columns, 70/10/20 split (676 / 97 / 193 rows), train-only z-scores"
            : $"# Accuracy: ETTh2, L = {lookback}, 7 → 7 columns, standard split, train-only z-scores");
        Console.WriteLine();
        Console.WriteLine($"- started {DateTime.Now:yyyy-MM-dd HH:mm:ss}, machine: {MachineInfo.Describe()}, load average {MachineInfo.LoadAverage()}");
        Console.WriteLine($"- model: mlContext.Forecasting.Seq2Seq defaults{(settings.Count == 0 ? "" : ", overridden: " + string.Join(", ", settings))}, seed {seed}");
        Console.WriteLine();
        Console.WriteLine("| H | model MSE | model MAE | persistence MSE | persistence MAE | linear MSE | linear MAE | SegRNN MSE / MAE (published, ETTh2 L = 96) | iTransformer MSE (published, ETTh2 L = 96) | kept (validation MSE: network / persistence / linear) | kept epoch / run | seconds |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        var ml = new MLContext(seed: seed);
        var (series, columns, protocol) = Load(ml, csv, illness);
        foreach (int horizon in horizons)
        {
            var windows = new SequenceWindowOptions { InputColumnNames = columns, InputLength = lookback, Horizon = horizon };
            SequenceWindowSplit split = ml.Data.SplitSequenceWindowsChronologically(series, windows, protocol);
            var run = Stopwatch.StartNew();
            var options = new Seq2SeqForecastingOptions();
            options.ValidationSet = split.Validation;
            options.Seed = seed;
            options.Progress = new SynchronousProgress<EpochSummary>(e => Console.Error.WriteLine($"  H={horizon} {e}"));
            foreach (var apply in overrides)
                apply(options);
            using Seq2SeqTransformer model = ml.Forecasting.Seq2Seq(options).Fit(split.Train);
            SequenceRegressionMetrics metrics = ml.Regression.EvaluateSequence(model.Transform(split.Test), "Label", "Score");
            double seconds = run.Elapsed.TotalSeconds;
            ForecastBaselineMetrics baselines = ml.Forecasting.EvaluateSeq2SeqBaselines(split.Train, split.Test);
            string segRnn = !illness && lookback == 96 && s_segRnn.TryGetValue(horizon, out var s) ? $"{s.Mse:F3} / {s.Mae:F3}" : "—";
            string iTransformer = !illness && lookback == 96 && s_iTransformer.TryGetValue(horizon, out double it) ? $"{it:F3}" : "—";
            var candidates = model.TrainingHistory.Candidates;
            string Score(string name) => candidates.FirstOrDefault(c => c.Name == name)?.ValidationMetric.ToString("F3", CultureInfo.InvariantCulture) ?? "—";
            string network = options.Search is null ? Score("network")
                : candidates.Where(c => c.Name != "persistence" && !c.Name.StartsWith("linear", StringComparison.Ordinal)).Min(c => c.ValidationMetric).ToString("F3", CultureInfo.InvariantCulture);
            string kept = candidates.Count == 0 ? "no comparison" : $"{candidates.Single(c => c.Kept).Name} ({network} / {Score("persistence")} / {Score("linear")})";
            Console.WriteLine($"| {horizon} | **{metrics.MeanSquaredError:F3}** | **{metrics.MeanAbsoluteError:F3}** | {baselines.Persistence.MeanSquaredError:F3} | {baselines.Persistence.MeanAbsoluteError:F3} "
                + $"| {baselines.Linear.MeanSquaredError:F3} | {baselines.Linear.MeanAbsoluteError:F3} | {segRnn} | {iTransformer} | {kept} "
                + $"| {model.TrainingHistory.BestEpoch} / {model.TrainingHistory.Epochs.Count} | {seconds:F0} |");
            if (candidates.Count > 0)
                Console.Error.WriteLine($"  H={horizon} every candidate's validation metric: "
                    + string.Join("; ", candidates.Select(c => $"{c.Name} {c.ValidationMetric.ToString("F4", CultureInfo.InvariantCulture)} (fit {c.FitTime.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s){(c.Kept ? " kept" : "")}")));
        }
        Console.WriteLine();
        Console.WriteLine($"Total {clock.Elapsed.TotalMinutes:F1} min; load average at the end {MachineInfo.LoadAverage()}.");
        return 0;
    }

    /// <summary>ETTh2 (standard 12/4/4-month split) or national_illness (70/10/20 rows) from <paramref name="csv"/>: the
    /// series with its seven columns named, and the split. The illness file's headers hold spaces and '%', so the columns
    /// are named here, by position.</summary>
    internal static (IDataView Series, string[] Columns, ChronologicalSplit Protocol) Load(MLContext ml, string csv, bool illness)
    {
        string[] columns = illness
            ? new[] { "WeightedIli", "UnweightedIli", "Age0To4", "Age5To24", "IliTotal", "Providers", "OT" }
            : new[] { "HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT" };
        IDataView series = ml.Data.LoadFromTextFile(csv, columns.Select((name, i) => new TextLoader.Column(name, DataKind.Single, i + 1)).ToArray(),
            separatorChar: ',', hasHeader: true);
        ChronologicalSplit protocol = illness ? new ChronologicalSplit(676, 773, 966) : ChronologicalSplit.EttHourly;
        return (series, columns, protocol);
    }

    private static ModelSearchOptions Search(Seq2SeqOptions options) => options.Search ??= new ModelSearchOptions();

    // --patch P/S/d/heads/layers/feed-forward[/dropout]: the patch Transformer's settings, for --family PatchTransformer and for the
    // search; give it after --family and the --search-* flags.
    private static void Patch(Seq2SeqOptions options, string value)
    {
        string[] parts = value.Split('/');
        int[] v = parts.Take(6).Select(int.Parse).ToArray();
        var settings = new PatchTransformerOptions { PatchLength = v[0], PatchStride = v[1], ModelSize = v[2], HeadCount = v[3], LayerCount = v[4], FeedForwardSize = v[5] };
        if (parts.Length > 6)
            settings.Dropout = double.Parse(parts[6], CultureInfo.InvariantCulture);
        if (options.Family == NetworkFamily.PatchTransformer)
            options.FamilyOptions = settings;
        if (options.Search is ModelSearchOptions search)
            search.FamilySettings = new INetworkFamilyOptions[] { settings };
    }

    // --segment w: the segment-recurrent family's segment length, for --family SegmentRecurrent (the recipe's) and for the
    // search; give it after --family and the --search-* flags.
    private static void Segment(Seq2SeqOptions options, int segmentLength)
    {
        var settings = new SegmentRecurrentOptions { SegmentLength = segmentLength };
        if (options.Family == NetworkFamily.SegmentRecurrent)
            options.FamilyOptions = settings;
        if (options.Search is ModelSearchOptions search && search.Families.Contains(NetworkFamily.SegmentRecurrent))
            search.FamilySettings = search.FamilySettings.Where(f => f.Family != NetworkFamily.SegmentRecurrent).Append(settings).ToArray();
    }

    private static Action<Seq2SeqOptions> Override(string name, string value)
    {
        double number = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double n) ? n : double.NaN;
        return name switch
        {
            "--hidden" => o => o.HiddenSize = (int)number,
            "--epochs" => o => o.MaxEpochs = (int)number,
            "--patience" => o => o.EarlyStopping.Patience = (int)number,
            "--plateau-patience" => o => o.Schedule.PlateauPatience = (int)number,
            "--lr" => o => o.LearningRate = number,
            "--batch" => o => o.BatchSize = (int)number,
            "--dropout" => o => o.Dropout = number,
            "--segment" => o => Segment(o, (int)number),
            "--weight-decay" => o => o.WeightDecay = number,
            "--schedule" => o => o.Schedule.Kind = Enum.Parse<LearningRateSchedule>(value, ignoreCase: true),
            "--normalization" => o => o.InstanceNormalization = Enum.Parse<InstanceNormalization>(value, ignoreCase: true),
            "--channel-independent" => o => o.ChannelIndependent = bool.Parse(value),
            "--loss" => o => o.Loss = Enum.Parse<LossFunction>(value, ignoreCase: true),
            "--amplitude" => o => o.AmplitudeAugmentation = number,
            "--family" => o => o.Family = Enum.Parse<NetworkFamily>(value, ignoreCase: true),
            "--comparison" => o => o.BaselineComparison = Enum.Parse<BaselineComparison>(value, ignoreCase: true),
            "--search-families" => o => Search(o).Families = value.Split(',').Select(f => Enum.Parse<NetworkFamily>(f, ignoreCase: true)).ToArray(),
            "--search-lookbacks" => o => Search(o).Lookbacks = value.Split(',').Select(int.Parse).ToArray(),
            "--search-minutes" => o => Search(o).TimeBudget = TimeSpan.FromMinutes(number),
            "--patch" => o => Patch(o, value),
            _ => throw new ArgumentException($"unknown option {name}"),
        };
    }
}
